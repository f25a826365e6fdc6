"""What the plugin closure is computed from: Jenkins version ordering, Maven poms read from fetched sources, and
the rules of core and jenkins-plugin-cli. Used by extract-plugin-closure.py and bump-plugin.sh.

Provenance of each rule (read at the pinned versions):
  version order   jenkinsci/lib-version-number tag version-number-1.14, src/main/java/hudson/util/VersionNumber.java
                  (core 2.568.2 and plugin-installation-manager-tool 2.15.0 both use version-number 1.14)
  dependencies    jenkinsci/maven-hpi-plugin tag 3.1802.v14f4709445a_b_ (the version plugin-pom 6.2138.v03274d462c13 uses),
                  AbstractJenkinsManifestMojo.findDependencyPlugins: the direct dependencies
                  that are plugins (packaging hpi/jpi) in scope compile or runtime (ScopeArtifactFilter("runtime")),
                  with their managed version; <optional> adds ";resolution:=optional". The update center's dependency
                  list is that manifest line (jenkins-infra/update-center2 HPI.getDependencies).
  resolution      jenkinsci/plugin-installation-manager-tool tag 2.15.0 (the base image's PLUGIN_CLI_VERSION, read and
                  checked by extract-plugin-closure.plugin_cli), PluginManager.java: a dependency that is listed
                  in the plugin file is taken at the listed version (listed older than required fails the install);
                  one that is not listed is added, at the newest version in the update center when --latest is true
                  (the default, CliOptions), at the highest version required otherwise; optional ones are dropped.
  detached        jenkinsci/jenkins tag jenkins-2.568.2, core/src/main/java/jenkins/plugins/DetachedPluginsUtil.java
                  getImpliedDependencies: a plugin whose Jenkins-Version is at or below a split version ("<split>.*")
                  gets the detached plugin as an optional dependency at its required version, unless the pair is in
                  split-plugin-cycles.txt or it is that plugin itself.
"""

import os
import re
import subprocess
import xml.etree.ElementTree as ET

import javasource  # noqa: E402
from javasource import ContractError


# --- hudson.util.VersionNumber (a port of Maven's ComparableVersion) --------------------------------------------
INTEGER, STRING, LIST, WILDCARD = 0, 1, 2, 3
QUALIFIERS = ["snapshot", "alpha", "beta", "milestone", "rc", "", "sp"]
ALIASES = {"ga": "", "final": "", "cr": "rc", "ea": "rc"}
RELEASE_INDEX = str(QUALIFIERS.index(""))
SNAPSHOT = re.compile(r"^.*((?:-\d{8}\.\d{6}-\d+)|-SNAPSHOT)( \(.*\))?$")


def _qualifier(value):
    return str(QUALIFIERS.index(value)) if value in QUALIFIERS else f"{len(QUALIFIERS)}-{value}"


def _java_cmp(a, b):
    return (a > b) - (a < b)


class _Item:
    def __init__(self, kind, value=None):
        self.kind = kind
        self.value = value if kind != LIST or value is not None else []

    def is_null(self):
        if self.kind == INTEGER:
            return self.value == 0
        if self.kind == STRING:
            return _qualifier(self.value) == RELEASE_INDEX
        if self.kind == LIST:
            return len(self.value) == 0
        return False

    def compare(self, other):
        k = self.kind
        if k == WILDCARD:
            return 0 if other is not None and other.kind == WILDCARD else 1
        if k == INTEGER:
            if other is None:
                return 0 if self.value == 0 else 1
            if other.kind == INTEGER:
                return _java_cmp(self.value, other.value)
            return 0 if other.kind == WILDCARD else 1
        if k == STRING:
            if other is None:
                return _java_cmp(_qualifier(self.value), RELEASE_INDEX)
            if other.kind == STRING:
                return _java_cmp(_qualifier(self.value), _qualifier(other.value))
            return -1
        # LIST
        if other is None:
            return 0 if not self.value else self.value[0].compare(None)
        if other.kind == INTEGER:
            return -1
        if other.kind == STRING:
            return 1
        if other.kind == WILDCARD:
            return -1
        left, right = self.value, other.value
        for i in range(max(len(left), len(right))):
            lv = left[i] if i < len(left) else None
            rv = right[i] if i < len(right) else None
            if lv is None:
                result = 0 if rv is None else -1 * rv.compare(None)
            else:
                result = lv.compare(rv)
            if result != 0:
                return result
        return 0


def _normalize(items):
    while items and items[-1].is_null():
        items.pop()


def _string_item(value, followed_by_digit):
    if followed_by_digit and len(value) == 1:
        value = {"a": "alpha", "b": "beta", "m": "milestone"}.get(value, value)
    return _Item(STRING, ALIASES.get(value, value))


def _parse_item(is_digit, text):
    return _Item(INTEGER, int(text)) if is_digit else _string_item(text, False)


class Version:
    """A Jenkins version number, ordered as hudson.util.VersionNumber orders it."""

    def __init__(self, text):
        self.text = text
        self.snapshot = None
        version = text
        m = SNAPSHOT.match(version)
        if m:
            self.snapshot = m.group(1)
            version = version[:m.start(1)] + "-SNAPSHOT"
        version = version.lower()
        root = []
        current = root
        stack = [root]
        is_digit = False
        start = 0
        for i, c in enumerate(version):
            if c == ".":
                current.append(_Item(INTEGER, 0) if i == start else _parse_item(is_digit, version[start:i]))
                start = i + 1
            elif c == "-":
                current.append(_Item(INTEGER, 0) if i == start else _parse_item(is_digit, version[start:i]))
                start = i + 1
                if is_digit:
                    _normalize(current)
                    if i + 1 < len(version) and version[i + 1].isdigit():
                        nested = []
                        current.append(_Item(LIST, nested))
                        current = nested
                        stack.append(nested)
            elif c == "*":
                current.append(_Item(WILDCARD))
                start = i + 1
            elif c.isdigit():
                if not is_digit and i > start:
                    current.append(_string_item(version[start:i], True))
                    start = i
                is_digit = True
            elif c.isspace():
                if i > start:
                    current.append(_parse_item(True, version[start:i]) if is_digit else _string_item(version[start:i], True))
                    start = i
                is_digit = False
            else:
                if is_digit and i > start:
                    current.append(_parse_item(True, version[start:i]))
                    start = i
                is_digit = False
        if len(version) > start:
            current.append(_parse_item(is_digit, version[start:]))
        while stack:
            _normalize(stack.pop())
        self.items = _Item(LIST, root)

    def compare(self, other):
        result = self.items.compare(other.items)
        if result != 0:
            return result
        if self.snapshot is None:
            return 0 if other.snapshot is None else -1
        if other.snapshot is None:
            return 1
        return 0

    def __lt__(self, other):
        return self.compare(other) < 0

    def __le__(self, other):
        return self.compare(other) <= 0

    def __str__(self):
        return self.text


def newer(a, b):
    """The higher of two version strings (the first when equal), as combineDependencies keeps it."""
    return b if Version(a) < Version(b) else a


# --- Maven poms from fetched repositories -----------------------------------------------------------------------
def git_dir(name):
    """The bare repository of `name`: javasource's, from $CONTRACTS_MIRROR or cloned into the ignored cache."""
    return javasource.git_dir(name)


def fetched(name):
    """Whether `name` can be read: present under $CONTRACTS_MIRROR, or cloned into the cache (a name that is no
    public repository fails to clone, which is how a guessed repository name is ruled out)."""
    try:
        javasource.git_dir(name)
        return True
    except ContractError:
        return False


def git(name, *args, check=True):
    run = subprocess.run(["git", "-C", git_dir(name), *args], capture_output=True, text=True)
    if run.returncode != 0:
        if check:
            raise ContractError(f"git {' '.join(args)} in {name}: {run.stderr.strip()}")
        return None
    return run.stdout


def commit_of(name, tag):
    out = git(name, "rev-parse", "--verify", "-q", f"refs/tags/{tag}^{{commit}}", check=False)
    return out.strip() if out else None


def _strip_ns(element):
    for e in element.iter():
        if isinstance(e.tag, str) and "}" in e.tag:
            e.tag = e.tag.split("}", 1)[1]
    return element


def _text(element, path, default=None):
    found = element.find(path)
    return found.text.strip() if found is not None and found.text is not None else default


class Pom:
    """One pom.xml of a repository at a tag, as written (no inheritance)."""

    cache = {}

    @classmethod
    def load(cls, repository, tag, path):
        key = (repository, tag, path)
        if key not in cls.cache:
            text = git(repository, "show", f"{tag}:{path}", check=False)
            cls.cache[key] = None if text is None else cls(repository, tag, path, text)
        return cls.cache[key]

    def __init__(self, repository, tag, path, text):
        self.repository, self.tag, self.path = repository, tag, path
        root = _strip_ns(ET.fromstring(text))
        parent = root.find("parent")
        self.parent = None
        if parent is not None:
            self.parent = {"groupId": _text(parent, "groupId"), "artifactId": _text(parent, "artifactId"),
                           "version": _text(parent, "version"), "relativePath": _text(parent, "relativePath", "../pom.xml")}
        self.group = _text(root, "groupId") or (self.parent or {}).get("groupId")
        self.artifact = _text(root, "artifactId")
        self.version = _text(root, "version") or (self.parent or {}).get("version")
        self.packaging = _text(root, "packaging", "jar")
        props = root.find("properties")
        self.properties = {_strip(e.tag): (e.text or "").strip() for e in props} if props is not None else {}
        self.managed = [_dependency(d) for d in root.findall("dependencyManagement/dependencies/dependency")]
        self.dependencies = [_dependency(d) for d in root.findall("dependencies/dependency")]

    def provenance(self):
        return {"repository": self.repository, "tag": self.tag, "commit": commit_of(self.repository, self.tag), "path": self.path}


def _strip(tag):
    return tag.split("}", 1)[-1] if isinstance(tag, str) else str(tag)


def _dependency(element):
    return {"groupId": _text(element, "groupId"), "artifactId": _text(element, "artifactId"),
            "version": _text(element, "version"), "type": _text(element, "type", "jar"),
            "scope": _text(element, "scope", "compile"), "classifier": _text(element, "classifier"),
            "optional": _text(element, "optional", "false") == "true"}


def find_module(repository, tag, artifact_id):
    """The path of the pom.xml whose project artifactId is artifact_id, in a repository at a tag, or None."""
    paths = [p for p in git(repository, "ls-tree", "-r", "--name-only", tag).splitlines()
             if p == "pom.xml" or p.endswith("/pom.xml")]
    paths.sort(key=lambda p: (p.count("/"), p))
    for path in paths:
        if "src/" in path or "/test" in path:
            continue
        pom = Pom.load(repository, tag, path)
        if pom is not None and pom.artifact == artifact_id:
            return path
    return None


class Model:
    """A pom with its parents and imported BOMs: properties, managed versions and dependencies as Maven sees them."""

    def __init__(self, pom, locate_parent, release_version=None):
        self.pom = pom
        self.chain = [pom]
        self.stopped = None
        current = pom
        while current.parent:
            found = locate_parent(current)
            if found is None:
                self.stopped = current.parent
                break
            self.chain.append(found)
            current = found
        props = {}
        for p in reversed(self.chain):
            props.update(p.properties)
        props["project.version"] = pom.version or ""
        props["project.groupId"] = pom.group or ""
        props["project.artifactId"] = pom.artifact or ""
        if pom.parent:
            props["project.parent.version"] = pom.parent["version"] or ""
        if release_version is not None:
            # The sources say ${changelist} (999999-SNAPSHOT) where the release says its version: a release is
            # built with the version it is tagged with, and its modules share it.
            props["project.version"] = release_version
            if len(self.chain) > 1 and self.chain[1].repository == pom.repository:
                props["project.parent.version"] = release_version
        self.properties = props
        self.locate_parent = locate_parent

    def value(self, text, what):
        if text is None:
            return None
        for _ in range(10):
            new = re.sub(r"\$\{([\w.-]+)\}", lambda m: self.properties.get(m.group(1), m.group(0)), text)
            if new == text:
                break
            text = new
        if "${" in text:
            hint = f" (the parent {self.stopped['groupId']}:{self.stopped['artifactId']}:{self.stopped['version']} is not read)" if self.stopped else ""
            raise ContractError(f"{self.pom.repository} {self.pom.tag} {self.pom.path}: {what} is {text}{hint}")
        return text

    def version(self):
        return self.value(self.pom.version, "the project version")

    def managed_version(self, group, artifact, import_bom):
        """The dependencyManagement version of group:artifact: own and inherited entries first, then the imports."""
        for p in self.chain:
            for d in p.managed:
                if d["scope"] == "import":
                    continue
                if self.value(d["groupId"], "a managed groupId") == group and self.value(d["artifactId"], "a managed artifactId") == artifact \
                        and d["classifier"] is None and d["type"] in ("jar", "hpi", "jpi"):
                    return self.value(d["version"], f"the managed version of {group}:{artifact}"), p
        for p in self.chain:
            for d in p.managed:
                if d["scope"] != "import":
                    continue
                coordinates = (self.value(d["groupId"], "an imported BOM's groupId"), self.value(d["artifactId"], "an imported BOM's artifactId"),
                               self.value(d["version"], "an imported BOM's version"))
                bom = import_bom(*coordinates, importer=self.pom)
                if bom is None:
                    continue
                found = bom.managed_version(group, artifact, import_bom)
                if found[0] is not None:
                    return found
        return None, None

    def dependencies(self):
        """Every declared dependency, own and inherited (a child's declaration of the same artifact wins)."""
        seen = set()
        for p in self.chain:
            for d in p.dependencies:
                key = (self.value(d["groupId"], "a dependency's groupId"), self.value(d["artifactId"], "a dependency's artifactId"), d["classifier"], d["type"])
                if key in seen:
                    continue
                seen.add(key)
                yield p, {**d, "groupId": key[0], "artifactId": key[1]}


# --- core's detached plugins ------------------------------------------------------------------------------------
def detached_plugins(core_tag):
    core = "jenkinsci/jenkins"
    split = git(core, "show", f"{core_tag}:core/src/main/resources/jenkins/split-plugins.txt")
    cycles = git(core, "show", f"{core_tag}:core/src/main/resources/jenkins/split-plugin-cycles.txt")
    lines = lambda text: [l for l in text.splitlines() if not re.fullmatch(r"#.*|\s*", l)]  # noqa: E731
    detached = []
    for line in lines(split):
        name, split_when, required = line.split(" ")[:3]
        detached.append({"id": name, "splitWhen": split_when, "requiredVersion": required})
    return detached, sorted(set(lines(cycles)))


def implied_dependencies(plugin, minimum_core, detached, cycles):
    """DetachedPluginsUtil.getImpliedDependencies: optional dependencies core adds to an old plugin."""
    out = []
    for d in detached:
        if d["id"] == plugin or f"{plugin} {d['id']}" in cycles:
            continue
        if minimum_core is None or minimum_core == "null" or Version(minimum_core).compare(Version(d["splitWhen"] + ".*")) <= 0:
            out.append({"id": d["id"], "version": d["requiredVersion"]})
    return out


# --- where a plugin's sources are ------------------------------------------------------------------------------
# Plugins whose repository is not jenkinsci/<id>-plugin or jenkinsci/<id> (e.g. one module of a multi-module
# repository): id -> repository. Tags are tried as <id>-<version>, <version>, v<version>, <repository name>-<version>.
REPOSITORIES = {
    "pipeline-model-api": "jenkinsci/pipeline-model-definition-plugin",
    "pipeline-model-definition": "jenkinsci/pipeline-model-definition-plugin",
    "pipeline-model-extensions": "jenkinsci/pipeline-model-definition-plugin",
    "pipeline-stage-tags-metadata": "jenkinsci/pipeline-model-definition-plugin",
    "pipeline-rest-api": "jenkinsci/pipeline-stage-view-plugin",
    "pipeline-stage-view": "jenkinsci/pipeline-stage-view-plugin",
    "aws-java-sdk-minimal": "jenkinsci/aws-java-sdk-plugin",
    "aws-java-sdk-ecs": "jenkinsci/aws-java-sdk-plugin",
    "aws-java-sdk-ec2": "jenkinsci/aws-java-sdk-plugin",
    "aws-java-sdk-efs": "jenkinsci/aws-java-sdk-plugin",
    "aws-java-sdk-iam": "jenkinsci/aws-java-sdk-plugin",
    "aws-java-sdk-sts": "jenkinsci/aws-java-sdk-plugin",
    "aws-java-sdk": "jenkinsci/aws-java-sdk-plugin",
    "mina-sshd-api-common": "jenkinsci/mina-sshd-api-plugin",
    "mina-sshd-api-core": "jenkinsci/mina-sshd-api-plugin",
}


class Missing(ContractError):
    pass


def tag_forms(plugin, version, repository):
    name = repository.split("/", 1)[1]
    forms = [f"{plugin}-{version}", version, f"v{version}", f"{name}-{version}", f"{name.removesuffix('-plugin')}-{version}"]
    return list(dict.fromkeys(forms))


def locate(plugin, version):
    """(repository, tag, pom path) of a plugin's release, or Missing naming what to fetch."""
    candidates = [REPOSITORIES[plugin]] if plugin in REPOSITORIES else [f"jenkinsci/{plugin}-plugin", f"jenkinsci/{plugin}"]
    present = [c for c in candidates if fetched(c)]
    if not present:
        raise Missing(f"{plugin} {version}: no repository fetched; fetch github:{candidates[0]}"
                      + (f" (or github:{candidates[1]})" if len(candidates) > 1 else "")
                      + ", or name its repository in REPOSITORIES of tools/contracts/extract-plugin-closure.py")
    for repository in present:
        for tag in tag_forms(plugin, version, repository):
            if commit_of(repository, tag):
                path = find_module(repository, tag, plugin)
                if path:
                    return repository, tag, path
    newest = (git(present[0], "tag", "--sort=-creatordate") or "").split()[:3]
    raise ContractError(f"{plugin} {version}: no release tag among {', '.join(tag_forms(plugin, version, present[0]))} in {present[0]} "
                        f"holds its pom.xml (newest tags: {', '.join(newest)}); the version is not a public release there")


