#!/usr/bin/env python3
"""Checks every pinned version of the master and proxy images against its public source and records it in contracts/:

  plugins.json       each top-level plugins.txt pin: its repository's release tag, commit, and minimum core (pom.xml
                     jenkins.version at that tag)
  jenkins-image.json the master's base jenkins/jenkins:<core>-lts-jdk21: the jenkinsci/docker tag, the bake rule
                     that publishes the -lts-jdk<N> variant, the agent-port variable and rule of jenkins.sh, and what
                     jenkins-support's copy step leaves beside a plugin it installs
  nginx-image.json   the proxy's base nginx:<version>-trixie: the docker-library/official-images entry listing it

A pin that is not a public tag fails here, naming the pin and the newest tag found.
Usage: extract-pins.py REPOSITORY_ROOT OUTPUT_DIRECTORY   (sources: javasource.mirror_root())
"""

import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from javasource import ContractError, Repository, git_dir, pom_property  # noqa: E402
from pins import core_pin, dockerfile_base, top_level_pins  # noqa: E402
from plugincore import locate  # noqa: E402

# plugin id -> (repository, release tag of a version)
PLUGIN_REPOSITORIES = {
    "configuration-as-code": ("jenkinsci/configuration-as-code-plugin", "{v}"),
    "amazon-ecs": ("jenkinsci/amazon-ecs-plugin", "amazon-ecs-{v}"),
    "workflow-aggregator": ("jenkinsci/workflow-aggregator-plugin", "{v}"),
    "git": ("jenkinsci/git-plugin", "git-{v}"),
    "matrix-auth": ("jenkinsci/matrix-auth-plugin", "matrix-auth-{v}"),
    "credentials-binding": ("jenkinsci/credentials-binding-plugin", "{v}"),
}


def newest_tags(name, count=3):
    run = subprocess.run(["git", "-C", git_dir(name), "tag", "--sort=-creatordate"], capture_output=True, text=True)
    return run.stdout.split()[:count]


def repository(name, tag, roots=()):
    try:
        return Repository(name, tag, list(roots))
    except ContractError as e:
        if "has no tag" in str(e):
            raise ContractError(f"{e}; newest tags of {name}: {', '.join(newest_tags(name))}")
        raise


def main():
    repo_root, output = sys.argv[1], sys.argv[2]
    core_version = core_pin(repo_root)
    if len(core_version.split(".")) != 3:
        raise ContractError(f"images/jenkins-master/Dockerfile: {core_version} is not an LTS version (x.y.z)")

    plugins = []
    for plugin, version in top_level_pins(repo_root).items():
        if plugin in PLUGIN_REPOSITORIES:
            name, tag_form = PLUGIN_REPOSITORIES[plugin]
            repo = repository(name, tag_form.format(v=version))
        else:
            # Another top-level plugin: its repository and tag found as the closure finds them.
            name, tag, _ = locate(plugin, version)
            repo = repository(name, tag)
        plugins.append({"id": plugin, "version": version, "source": repo.provenance(),
                        "minimumCore": {"version": pom_property(repo, "jenkins.version"), "source": repo.provenance("pom.xml")}})

    core = repository("jenkinsci/jenkins", f"jenkins-{core_version}")
    docker = repository("jenkinsci/docker", core_version)
    bake = docker.show("docker-bake.hcl")
    jdks = re.search(r'variable\s+"jdks_to_build"\s*\{\s*default\s*=\s*\[([^\]]*)\]', bake)
    jdks = [int(j) for j in re.findall(r"\d+", jdks.group(1))] if jdks else []
    lts_rule = re.search(r'tag_lts\(true,\s*"\$\{slim_suffix\(variant,\s*"lts"\)\}-jdk\$\{jdk\}"\)', bake)
    if 21 not in jdks or not lts_rule:
        raise ContractError(f"jenkinsci/docker {core_version} docker-bake.hcl publishes no <version>-lts-jdk21 tag (jdks {jdks})")
    dockerfile = docker.show("debian/Dockerfile")
    agent_port = re.search(r"^ARG agent_port=(\S+)", dockerfile, re.M)
    agent_env = re.search(r"^ENV JENKINS_SLAVE_AGENT_PORT=(\S+)", dockerfile, re.M)
    jenkins_sh = docker.show("jenkins.sh")
    port_rule = re.search(r'if \[ -n "\$\{JENKINS_SLAVE_AGENT_PORT:-\}" \] && \[\[ "\$\{effective_java_opts:-\}" != \*"\$\{agent_port_property\}"\* \]\]', jenkins_sh)
    support = docker.show("jenkins-support")
    marker = re.search(r'version_marker="\$\{rel\}\.version_from_image"', support)
    pinned = re.search(r'touch "\$JENKINS_HOME/\$\{rel\}\.pinned"', support)
    version_function = re.search(r"get_plugin_version\(\)\s*\{[^}]*MANIFEST\.MF[^}]*Plugin-Version", support, re.S)
    if not (agent_env and port_rule and marker and pinned and version_function):
        raise ContractError(f"jenkinsci/docker {core_version}: the agent-port or plugin-marker facts the master image relies on changed; "
                            "read debian/Dockerfile, jenkins.sh and jenkins-support at that tag and update images/jenkins-master")

    image = {
        "consumer": "jenkins/jenkins image (the master's base)",
        "pin": {"file": "images/jenkins-master/Dockerfile", "image": dockerfile_base(repo_root, "images/jenkins-master/Dockerfile"), "core": core_version},
        "source": docker.provenance(),
        "core": core.provenance(),
        "variantTag": {"tag": f"{core_version}-lts-jdk21", "jdksToBuild": jdks,
                       "rule": "debian_tags: tag_lts(true, \"${slim_suffix(variant, \"lts\")}-jdk${jdk}\") for the debian variant",
                       "source": docker.provenance("docker-bake.hcl")},
        "agentPort": {"variable": "JENKINS_SLAVE_AGENT_PORT", "default": agent_env.group(1).replace("${agent_port}", agent_port.group(1) if agent_port else "?"),
                      "rule": "jenkins.sh adds -Djenkins.model.Jenkins.slaveAgentPort=$JENKINS_SLAVE_AGENT_PORT when the variable is not empty "
                              "and JAVA_OPTS/JENKINS_JAVA_OPTS do not name the property",
                      "source": [docker.provenance("debian/Dockerfile"), docker.provenance("jenkins.sh")]},
        "pluginCopy": {"marker": "<plugin>.jpi.version_from_image holds the image's version; <plugin>.jpi.pinned is touched",
                       "version": "get_plugin_version: Plugin-Version of the plugin's META-INF/MANIFEST.MF",
                       "rule": "with a marker older than the installed version the plugin counts as manually upgraded (SKIPPED unless older than the image's and PLUGINS_FORCE_UPGRADE is set)",
                       "source": docker.provenance("jenkins-support")},
    }

    nginx_base = dockerfile_base(repo_root, "images/nginx-proxy/Dockerfile")
    m = re.fullmatch(r"nginx:(\S+)", nginx_base)
    if not m:
        raise ContractError(f"images/nginx-proxy/Dockerfile: base {nginx_base} is not nginx:<tag>")
    official = Repository("docker-library/official-images", "HEAD", [])
    library = official.show("library/nginx")
    entry = next((block for block in library.split("\n\n") if re.search(rf"^Tags:.*(?:\s|,){re.escape(m.group(1))}(?:,|$)", block, re.M)), None)
    if entry is None:
        stable = re.search(r"^Tags:.*\bstable\b.*$", library, re.M)
        raise ContractError(f"images/nginx-proxy/Dockerfile: {nginx_base} is not listed in docker-library/official-images library/nginx; "
                            f"the stable entry lists: {stable.group(0) if stable else '?'}")
    nginx = {
        "consumer": "nginx image (the proxy's base)",
        "pin": {"file": "images/nginx-proxy/Dockerfile", "image": nginx_base},
        "source": official.provenance("library/nginx"),
        "entry": {k: v for k, v in re.findall(r"^(Tags|Directory|GitCommit|GitRepo): (.*)$", entry + "\n" + library.split("\n\n")[0], re.M)},
    }

    os.makedirs(output, exist_ok=True)
    for file_name, contract in (("plugins.json", {"consumer": "jenkins-plugin-cli (images/jenkins-master/plugins.txt)", "core": core_version, "plugins": plugins}),
                                ("jenkins-image.json", image), ("nginx-image.json", nginx)):
        with open(os.path.join(output, file_name), "w") as f:
            json.dump({"generatedBy": "tools/contracts/extract-pins.py", **contract}, f, indent=2)
            f.write("\n")
    print(f"extract-pins: {len(plugins)} plugin pins, jenkins/jenkins:{core_version}-lts-jdk21, {nginx_base} checked against their public sources")


if __name__ == "__main__":
    try:
        main()
    except ContractError as e:
        print(f"extract-pins: {e}", file=sys.stderr)
        sys.exit(1)
