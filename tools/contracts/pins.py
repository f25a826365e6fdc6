"""The pins the contracts are extracted at: plugins.txt and the Dockerfiles' default base images."""

import os
import re

from javasource import ContractError


def dockerfile_base(repo_root, relative):
    path = os.path.join(repo_root, relative)
    with open(path) as f:
        m = re.search(r"^ARG BASE_IMAGE=(\S+)", f.read(), re.M)
    if not m:
        raise ContractError(f"{relative} has no ARG BASE_IMAGE=<image> default")
    return m.group(1)


def core_pin(repo_root):
    """The Jenkins version of the master's base, jenkins/jenkins:<version>-lts-jdk21."""
    image = dockerfile_base(repo_root, "images/jenkins-master/Dockerfile")
    m = re.fullmatch(r"jenkins/jenkins:(\d+(?:\.\d+)+)-lts-jdk21", image)
    if not m:
        raise ContractError(f"images/jenkins-master/Dockerfile: base {image} is not jenkins/jenkins:<LTS version>-lts-jdk21")
    return m.group(1)


def plugin_pins(repo_root):
    pins = {}
    with open(os.path.join(repo_root, "images/jenkins-master/plugins.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                plugin, _, version = line.partition(":")
                pins[plugin] = version
    return pins


SECTIONS = {"# [top-level]": "top-level", "# [dependencies]": "dependencies"}


def plugins_file(repo_root):
    """plugins.txt by section: {"top-level": {id: version}, "dependencies": {id: version}}, in file order."""
    sections = {"top-level": {}, "dependencies": {}}
    current = None
    relative = "images/jenkins-master/plugins.txt"
    with open(os.path.join(repo_root, relative)) as f:
        for number, raw in enumerate(f, 1):
            marker = next((s for m, s in SECTIONS.items() if raw.startswith(m)), None)
            if marker:
                current = marker
                continue
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if current is None:
                raise ContractError(f"{relative} line {number}: {line} comes before '# [top-level]'")
            plugin, _, version = line.partition(":")
            sections[current][plugin] = version
    return sections


def top_level_pins(repo_root):
    return plugins_file(repo_root)["top-level"]
