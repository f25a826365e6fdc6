#!/usr/bin/env python3
"""Computes every plugin the master runs from the top-level pins of images/jenkins-master/plugins.txt, and writes
contracts/plugin-closure.json: each plugin's pinned version, its source (repository, tag, commit, pom.xml), its
minimum core, the plugins it requires (with the version required and where the version comes from), its optional
dependencies, and the optional dependencies core implies for it (detached plugins).

The closure is what jenkins-plugin-cli 2.15.0 computes with --latest false from the top-level plugins: each
plugin's direct plugin dependencies (pom.xml at the plugin's release tag, scope compile or runtime, versions from
the pom, its parents and imported BOMs), and when two plugins require different versions of one, the highest wins;
a top-level pin below a required version is an error. Plugins that only a superseded version needed are left out.
The rules and their sources: tools/contracts/plugincore.py.

The [dependencies] section of plugins.txt must be that closure: this extractor fails when it differs (regenerate.sh
--check), and --write-plugins-file rewrites the section (tools/contracts/bump-plugin.sh does that).
A plugin whose repository is not fetched, or whose version has no release tag there, fails here naming it.

Usage: extract-plugin-closure.py REPOSITORY_ROOT OUTPUT_DIRECTORY [--write-plugins-file | --set-top-level ID VERSION]
       (--set-top-level pins ID at VERSION under [top-level], then rewrites [dependencies]; bump-plugin.sh uses it)
       (sources: $CONTRACTS_MIRROR, see javasource.mirror_root)
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from javasource import ContractError  # noqa: E402
from pins import core_pin, plugins_file  # noqa: E402
from plugincore import (Missing, Model, Pom, Version, commit_of, detached_plugins, fetched, find_module, git,  # noqa: E402
                        implied_dependencies, locate, newer)

# Releases whose source cannot be read here: the stored snapshot of the repository predates the tag. Each is pinned at
# the version the resolution rule chooses (the highest required), but its own dependencies and minimum core are not
# read: the contract marks it "verified": false and plugins.txt says so beside its pin. Remove an entry once the snapshot
# has the tag (the extractor then reads it like any other).
UNREADABLE = {
    ("snakeyaml-api", "2.5-149.v72471e9c6371"): "jenkinsci/snakeyaml-api-plugin",
}

# Group ids that hold Jenkins plugins. A dependency in another group is a library (bundled in the plugin, not a
# plugin of its own); one in these groups is a plugin when its pom's packaging is hpi or jpi.
PLUGIN_GROUP = re.compile(r"(jenkins|hudson)", re.I)
LIBRARY_GROUPS = {"org.jenkins-ci.main", "org.jenkins-ci", "org.jenkins-ci.modules", "io.jenkins.tools", "org.jenkins-ci.test",
                  "io.jenkins.stapler", "org.jenkins-ci.ui", "io.jenkins.lib"}


def locate_parent(pom):
    p = pom.parent
    if p["relativePath"]:
        relative = os.path.normpath(os.path.join(os.path.dirname(pom.path), p["relativePath"]))
        if not relative.endswith(".xml"):
            relative = os.path.join(relative, "pom.xml")
        if not relative.startswith(".."):
            found = Pom.load(pom.repository, pom.tag, relative)
            if found is not None and found.artifact == p["artifactId"]:
                return found
    coordinates = (p["groupId"], p["artifactId"])
    if coordinates in PARENTS:
        repository = PARENTS[coordinates]
        if not fetched(repository):
            raise Missing(f"{pom.repository} {pom.tag} {pom.path}: parent {':'.join(coordinates)} {p['version']}: fetch github:{repository}")
        for tag in (f"{p['artifactId']}-{p['version']}", p["version"], f"v{p['version']}"):
            if commit_of(repository, tag):
                return Pom.load(repository, tag, find_module(repository, tag, p["artifactId"]))
        raise ContractError(f"{pom.repository} {pom.tag} {pom.path}: parent {':'.join(coordinates)} {p['version']} is no tag of {repository}")
    return None


# Parent poms outside a plugin's repository: (groupId, artifactId) -> repository.
PARENTS = {
    ("org.jenkins-ci.plugins", "plugin"): "jenkinsci/plugin-pom",
    ("org.jvnet.hudson.plugins", "analysis-pom"): "jenkinsci/analysis-pom-plugin",
}


BOMS = {}


def import_bom(group, artifact, version, importer):
    key = (group, artifact, version, importer.tag if importer.repository == "jenkinsci/bom" else None)
    if key in BOMS:
        return BOMS[key]
    model = None
    if group == "io.jenkins.tools.bom":
        # Inside jenkinsci/bom the BOMs import each other at ${project.version}: the same release.
        tag = importer.tag if importer.repository == "jenkinsci/bom" else version
        if not commit_of("jenkinsci/bom", tag):
            raise ContractError(f"{importer.repository} {importer.tag} {importer.path}: imports {artifact} {version}, which is no tag of jenkinsci/bom (fetch it again)")
        path = find_module("jenkinsci/bom", tag, artifact)
        if path is None:
            raise ContractError(f"jenkinsci/bom {tag} has no module {artifact}")
        model = Model(Pom.load("jenkinsci/bom", tag, path), locate_parent)
    elif (group, artifact) == ("org.jenkins-ci.main", "jenkins-bom") and commit_of("jenkinsci/jenkins", f"jenkins-{version}"):
        model = Model(Pom.load("jenkinsci/jenkins", f"jenkins-{version}", "bom/pom.xml"), locate_parent)
    BOMS[key] = model
    return model


def is_plugin_candidate(dependency):
    return (dependency["scope"] in ("compile", "runtime") and dependency["classifier"] is None
            and dependency["type"] in ("jar", "hpi", "jpi") and PLUGIN_GROUP.search(dependency["groupId"] or "")
            and dependency["groupId"] not in LIBRARY_GROUPS and not dependency["groupId"].startswith("io.jenkins.tools."))


RELEASES = {}


def is_plugin(plugin, version):
    """Whether a dependency in a Jenkins group is a plugin: its pom's packaging at that release is hpi or jpi."""
    if (plugin, version) in UNREADABLE:
        return True
    repository, tag, path = locate(plugin, version)
    return Pom.load(repository, tag, path).packaging in ("hpi", "jpi")


def release(plugin, version):
    """One plugin release read from its sources: provenance, minimum core, direct plugin dependencies."""
    key = (plugin, version)
    if key in RELEASES:
        return RELEASES[key]
    if (plugin, version) in UNREADABLE:
        repository = UNREADABLE[(plugin, version)]
        newest = (git(repository, "tag", "--sort=-creatordate") or "").split()[:1]
        RELEASES[key] = {"id": plugin, "version": version, "verified": False,
                         "source": {"repository": repository, "tag": None,
                                    "unavailable": f"no release tag for {version} in the fetched snapshot (newest tag: {', '.join(newest)})"},
                         "minimumCore": None, "dependencies": [], "optionalDependencies": []}
        return RELEASES[key]
    repository, tag, path = locate(plugin, version)
    pom = Pom.load(repository, tag, path)
    if pom.packaging not in ("hpi", "jpi"):
        # A library in a Jenkins group: bundled in the plugins that use it, no plugin of its own.
        RELEASES[key] = None
        return None
    model = Model(pom, locate_parent, release_version=version)
    core = model.value("${jenkins.version}", "jenkins.version (the minimum core)")
    dependencies, optional, missing = [], [], []
    for declared_in, d in model.dependencies():
        if not is_plugin_candidate(d):
            continue
        how = "pom.xml" if declared_in is pom else f"{declared_in.repository} {declared_in.path}"
        if d["version"]:
            version_required = model.value(d["version"], f"the version of {d['artifactId']}")
            source = {"declared": how}
        else:
            version_required, manager = model.managed_version(d["groupId"], d["artifactId"], import_bom)
            if version_required is None:
                raise ContractError(f"{repository} {tag} {path}: no version for {d['groupId']}:{d['artifactId']} in the pom, its parents or its BOMs")
            source = {"declared": how, "managedBy": manager.provenance()}
        try:
            if not is_plugin(d["artifactId"], version_required):
                continue
        except Missing as e:
            missing.append(f"{e} (required by {plugin} {version})")
            continue
        except ContractError as e:
            raise ContractError(f"{e} (required by {plugin} {version}, {repository} {tag} {path})")
        entry = {"id": d["artifactId"], "version": version_required, "versionFrom": source}
        (optional if d["optional"] else dependencies).append(entry)
    if missing:
        raise Missing("; ".join(missing))
    result = {"id": plugin, "version": version, "verified": True, "source": pom.provenance(), "minimumCore": core,
              "dependencies": sorted(dependencies, key=lambda e: e["id"]), "optionalDependencies": sorted(optional, key=lambda e: e["id"])}
    RELEASES[key] = result
    return result


def closure(top):
    """The plugins jenkins-plugin-cli --latest false installs for the top-level pins, each at the version it takes."""
    chosen = dict(top)
    for _ in range(100):
        missing = []
        required, wanted = {}, {}
        reachable, queue = set(), list(top)
        while queue:
            plugin = queue.pop()
            if plugin in reachable:
                continue
            reachable.add(plugin)
            try:
                r = release(plugin, chosen[plugin])
            except Missing as e:
                missing.append(str(e))
                continue
            if r is None:
                raise ContractError(f"{plugin} {chosen[plugin]} is no plugin (its pom's packaging is not hpi)")
            for d in r["dependencies"]:
                required[d["id"]] = newer(required.get(d["id"], d["version"]), d["version"])
                wanted[d["id"]] = newer(wanted.get(d["id"], d["version"]), d["version"])
                if d["id"] not in chosen:
                    chosen[d["id"]] = d["version"]
                queue.append(d["id"])
            for d in r["optionalDependencies"]:
                wanted[d["id"]] = newer(wanted.get(d["id"], d["version"]), d["version"])
        if missing:
            raise Missing("\n".join(sorted(set(missing))))
        problems = [f"{p} is pinned at top level at {top[p]}, below {wanted[p]} that another plugin requires: raise it"
                    for p in top if p in wanted and Version(top[p]) < Version(wanted[p])]
        if problems:
            raise ContractError("; ".join(problems))
        # The highest version required wins (an optional requirement counts once the plugin is in).
        following = {p: (top[p] if p in top else wanted[p]) for p in reachable}
        if following == chosen:
            return chosen
        chosen = following
    raise ContractError("the closure does not settle after 100 rounds")


def write_plugins_file(repo_root, entries):
    path = os.path.join(repo_root, "images/jenkins-master/plugins.txt")
    with open(path) as f:
        text = f.read()
    head = text.split(DEPENDENCIES_MARKER, 1)[0].rstrip("\n") + "\n"
    lines = [DEPENDENCIES_MARKER + DEPENDENCIES_TEXT]
    for e in entries:
        lines.append(dependency_comment(e))
        lines.append(f"{e['id']}:{e['version']}")
    with open(path, "w") as f:
        f.write(head + "\n".join(lines) + "\n")


DEPENDENCIES_MARKER = "# [dependencies]"
DEPENDENCIES_TEXT = (" What the top-level plugins need, computed from their sources by tools/contracts/extract-plugin-closure.py\n"
                     "# (jenkins-plugin-cli's --latest false rule: the highest version required wins). Do not edit by hand:\n"
                     "# tools/contracts/bump-plugin.sh rewrites this section.")


def dependency_comment(entry):
    source = entry["source"]
    if not entry["verified"]:
        return (f"# {source['repository']}: {source['unavailable']}; its dependencies and minimum core are not verified "
                f"(required by {', '.join(entry['requiredBy'])})")
    return f"# {source['repository']} tag {source['tag']} (needs core {entry['minimumCore']}; required by {', '.join(entry['requiredBy'])})"


CLI = "jenkinsci/plugin-installation-manager-tool"


def plugin_cli(core_version):
    """The jenkins-plugin-cli release of the base image, checked to still apply the rules the image relies on."""
    dockerfile = git("jenkinsci/docker", "show", f"{core_version}:debian/Dockerfile")
    m = re.search(r"^ARG PLUGIN_CLI_VERSION=(\S+)", dockerfile, re.M)
    if not m:
        raise ContractError(f"jenkinsci/docker {core_version} debian/Dockerfile has no ARG PLUGIN_CLI_VERSION")
    tag = m.group(1)
    if not commit_of(CLI, tag):
        raise ContractError(f"{CLI} has no tag {tag} (the base's PLUGIN_CLI_VERSION): fetch github:{CLI} again")
    options = git(CLI, "show", f"{tag}:plugin-management-cli/src/main/java/io/jenkins/tools/pluginmanager/cli/CliOptions.java")
    manager = git(CLI, "show", f"{tag}:plugin-management-library/src/main/java/io/jenkins/tools/pluginmanager/impl/PluginManager.java")
    latest = re.search(r'name = "--latest",.*?handler = ExplicitBooleanOptionHandler\.class\)\s*private boolean useLatestAll = true;', options, re.S)
    pinned_wins = "but there is an older version defined on the top level" in manager and "else if (useLatestSpecified && dependency.isLatest() || useLatestAll)" in manager
    if not (latest and pinned_wins):
        raise ContractError(f"{CLI} {tag}: --latest (default true, explicit boolean) or the rule that a listed plugin wins over a dependency changed; "
                            "read CliOptions and PluginManager.resolveRecursiveDependencies there and update images/jenkins-master/Dockerfile and this extractor")
    return tag


def set_top_level(repo_root, plugin, version):
    """Pins plugin at version under [top-level] of plugins.txt, with its source; drops it from [dependencies]."""
    r = release(plugin, version)
    if r is None:
        raise ContractError(f"{plugin} {version} is no plugin (its pom's packaging is not hpi)")
    source = r["source"]
    comment = f"# {source['repository']} tag {source['tag']} (needs core {r['minimumCore']})"
    path = os.path.join(repo_root, "images/jenkins-master/plugins.txt")
    with open(path) as f:
        lines = f.read().splitlines()
    marker = next((i for i, l in enumerate(lines) if l.startswith(DEPENDENCIES_MARKER)), len(lines))
    top, rest = lines[:marker], [l for l in lines[marker:] if not l.startswith(f"{plugin}:")]
    at = next((i for i, l in enumerate(top) if l.startswith(f"{plugin}:")), None)
    if at is None:
        top += [comment, f"{plugin}:{version}"]
    else:
        before = at - 1 if at > 0 and top[at - 1].startswith("# ") and " tag " in top[at - 1] else at
        top[before:at + 1] = [comment, f"{plugin}:{version}"]
    with open(path, "w") as f:
        f.write("\n".join(top + rest) + "\n")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    write = "--write-plugins-file" in sys.argv[1:]
    repo_root, output = args[0], args[1]
    if "--set-top-level" in sys.argv[1:]:
        if len(args) != 4:
            raise ContractError("usage: extract-plugin-closure.py ROOT OUTPUT --set-top-level ID VERSION")
        set_top_level(repo_root, args[2], args[3])
        write = True
    core_version = core_pin(repo_root)
    sections = plugins_file(repo_root)
    top = sections["top-level"]
    if not top:
        raise ContractError("images/jenkins-master/plugins.txt has no plugin under '# [top-level]'")
    chosen = closure(top)
    detached, cycles = detached_plugins(f"jenkins-{core_version}")
    cli_tag = plugin_cli(core_version)

    entries = []
    for plugin in sorted(chosen):
        r = release(plugin, chosen[plugin])
        implied = implied_dependencies(plugin, r["minimumCore"], detached, cycles) if r["verified"] else []
        required_by = sorted(p for p in chosen for d in release(p, chosen[p])["dependencies"] if d["id"] == plugin)
        entries.append({**r, "topLevel": plugin in top, "requiredBy": required_by, "impliedOptionalDependencies": implied})
    too_new = [f"{e['id']} {e['version']} needs core {e['minimumCore']}" for e in entries if e["verified"] and Version(core_version) < Version(e["minimumCore"])]
    if too_new:
        raise ContractError(f"the pinned core {core_version} is older than the plugins need: {'; '.join(too_new)}")

    dependencies = [e for e in entries if not e["topLevel"]]
    listed = sections["dependencies"]
    computed = {e["id"]: e["version"] for e in dependencies}
    if write:
        write_plugins_file(repo_root, dependencies)
    elif listed != computed:
        extra = sorted(set(listed) - set(computed))
        lacking = sorted(set(computed) - set(listed))
        differ = sorted(p for p in set(listed) & set(computed) if listed[p] != computed[p])
        raise ContractError("images/jenkins-master/plugins.txt [dependencies] is not the closure of the top-level plugins"
                            + (f"; not needed: {', '.join(extra)}" if extra else "")
                            + (f"; missing: {', '.join(f'{p}:{computed[p]}' for p in lacking)}" if lacking else "")
                            + (f"; other version: {', '.join(f'{p} {listed[p]} (closure {computed[p]})' for p in differ)}" if differ else "")
                            + ": run tools/contracts/bump-plugin.sh (or extract-plugin-closure.py ROOT OUT --write-plugins-file)")

    contract = {
        "generatedBy": "tools/contracts/extract-plugin-closure.py",
        "consumer": "jenkins-plugin-cli --latest false (images/jenkins-master/Dockerfile) and Jenkins core's plugin loading",
        "core": core_version,
        "rules": {
            "versionOrder": {"rule": "hudson.util.VersionNumber (Maven ComparableVersion with wildcards)",
                             "source": {"repository": "jenkinsci/lib-version-number", "tag": "version-number-1.14", "path": "src/main/java/hudson/util/VersionNumber.java"}},
            "dependencies": {"rule": "direct dependencies with packaging hpi/jpi in scope compile or runtime, at their declared or managed version; <optional> makes them optional",
                             "source": {"repository": "jenkinsci/maven-hpi-plugin", "tag": "3.1802.v14f4709445a_b_", "commit": commit_of("jenkinsci/maven-hpi-plugin", "3.1802.v14f4709445a_b_"),
                                        "path": "src/main/java/org/jenkinsci/maven/plugins/hpi/AbstractJenkinsManifestMojo.java", "method": "findDependencyPlugins",
                                        "note": "the hpi-plugin.version of org.jenkins-ci.plugins:plugin 6.2138.v03274d462c13, the parent of the top-level plugins"}},
            "resolution": {"rule": "a listed plugin is taken at its pin (below a required version fails the install); an unlisted dependency is added at the newest version (--latest true, the default) or at the highest version required (--latest false); optional ones are dropped",
                           "pluginCli": {"version": cli_tag, "source": {"repository": "jenkinsci/docker", "tag": core_version, "commit": commit_of("jenkinsci/docker", core_version),
                                                                        "path": "debian/Dockerfile", "line": f"ARG PLUGIN_CLI_VERSION={cli_tag}"}},
                           "source": {"repository": "jenkinsci/plugin-installation-manager-tool", "tag": cli_tag, "commit": commit_of("jenkinsci/plugin-installation-manager-tool", cli_tag),
                                      "path": "plugin-management-library/src/main/java/io/jenkins/tools/pluginmanager/impl/PluginManager.java", "method": "resolveRecursiveDependencies"}},
            "detached": {"rule": "a plugin whose minimum core is at or below a split version gets the detached plugin as an optional dependency at its required version (unless the pair is a listed cycle)",
                         "source": {"repository": "jenkinsci/jenkins", "tag": f"jenkins-{core_version}", "commit": commit_of("jenkinsci/jenkins", f"jenkins-{core_version}"),
                                    "path": "core/src/main/java/jenkins/plugins/DetachedPluginsUtil.java", "method": "getImpliedDependencies",
                                    "data": ["core/src/main/resources/jenkins/split-plugins.txt", "core/src/main/resources/jenkins/split-plugin-cycles.txt"]}},
        },
        "detachedPlugins": detached,
        "detachedCycles": cycles,
        "topLevel": list(top),
        "plugins": entries,
    }
    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "plugin-closure.json"), "w") as f:
        json.dump(contract, f, indent=2)
        f.write("\n")
    for e in entries:
        if not e["verified"]:
            print(f"extract-plugin-closure: warning: {e['id']} {e['version']} is pinned unverified: {e['source']['repository']}: {e['source']['unavailable']}", file=sys.stderr)
    print(f"extract-plugin-closure: {len(entries)} plugins ({len(top)} top-level, {len(dependencies)} dependencies) for core {core_version}")


if __name__ == "__main__":
    try:
        main()
    except ContractError as e:
        print(f"extract-plugin-closure: {e}", file=sys.stderr)
        sys.exit(1)
