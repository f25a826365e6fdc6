#!/usr/bin/env python3
"""Extracts what configuration as code accepts for every configurator images/jenkins-master/casc/*.yaml and the
generated ECS cloud use, from the consumers' sources at the pinned versions, into contracts/:

  jenkins-core.json          core's classes (Jenkins root, local realm, timezone property, crumb issuer, apiToken,
                             location, the security/unclassified categories) and the Jenkins image's core pin
  configuration-as-code.json the plugin's naming rules, root elements, policies and its own configurators
  matrix-auth.json           globalMatrix and its entries
  amazon-ecs-casc.json       ECSCloud, ECSTaskTemplate and its nested entry types

Each attribute is what configuration as code (BaseConfigurator/DataBoundConfigurator at the pinned tag) derives:
the @DataBoundConstructor's parameters, every public one-argument setX(...) that has a public getX()/isX() (in the
class or a superclass, @DataBoundSetter or not), public PersistedList fields and getters, plus what a dedicated
configurator adds or replaces. Keys are matched case-insensitively. Facts only, with provenance; no code copied.

Usage: extract-casc.py REPOSITORY_ROOT OUTPUT_DIRECTORY   (sources: javasource.mirror_root())
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from javasource import ContractError, Index, Repository, generic_arguments, pom_property  # noqa: E402
from pins import core_pin, plugin_pins  # noqa: E402

COLLECTIONS = {"List", "Collection", "Set", "SortedSet", "Iterable", "ArrayList", "LinkedHashSet", "HashSet"}
PERSISTED_LISTS = {"PersistedList", "DescribableList", "CopyOnWriteList"}


def uncapitalize(s):
    return s[:1].lower() + s[1:]


def normalize(name):
    """Configurator.normalize: an all-capitals name is lower-cased, any other is uncapitalized."""
    return name.lower() if name.upper() == name else uncapitalize(name)


class Extractor:
    def __init__(self, index):
        self.index = index

    def public_methods(self, cls):
        for c in self.index.ancestry(cls):
            for m in c.methods:
                if "public" in m.modifiers and not m.constructor:
                    yield c, m

    def element(self, type_name, context):
        """(multiple, element class or None) of an attribute type as configuration as code reads it."""
        raw = re.sub(r"<.*", "", type_name)
        if type_name.endswith("[]"):
            return True, self.index.resolve(type_name[:-2], context)
        if raw.split(".")[-1] in COLLECTIONS:
            args = generic_arguments(type_name)
            arg = re.sub(r"^\?\s*extends\s*", "", args[0]) if args else None
            return True, (self.index.resolve(arg, context) if arg else None)
        resolved = self.index.resolve(type_name, context)
        if resolved is None:
            return False, None
        chain = self.index.ancestry(resolved)
        if any(c.name in PERSISTED_LISTS for c in chain):
            # e.g. Hudson.CloudList extends Jenkins.CloudList extends DescribableList<Cloud, Descriptor<Cloud>>.
            for c in chain:
                args = generic_arguments(c.extends or "")
                if args:
                    return True, self.index.resolve(args[0], self.index.get(c.fqn.rsplit(".", 1)[0]) or c)
            return True, None
        return False, resolved

    def attribute(self, name, type_name, context, source, member=None):
        multiple, element = self.element(type_name, context)
        restricted = None
        deprecated = False
        if member is not None:
            deprecated = member.has("Deprecated")
            r = next((a for a in member.annotations if a[0] == "Restricted"), None)
            if r:
                restricted = re.sub(r"\.class", "", r[1] or "").strip()
        a = {"name": name, "type": type_name, "multiple": multiple, "element": element.fqn if element else None,
             "from": source}
        if deprecated:
            a["deprecated"] = True
        if restricted:
            a["restricted"] = restricted
        return a

    def introspect(self, cls, exclusions=()):
        """BaseConfigurator.describe(): JavaBean setters with a getter, PersistedList fields and getters."""
        attributes = {}
        methods = list(self.public_methods(cls))
        for c in self.index.ancestry(cls):
            for f in c.fields:
                if "public" in f.modifiers and f.name not in exclusions and "transient" not in f.modifiers:
                    multiple, element = self.element(f.type, c)
                    resolved = self.index.resolve(f.type, c)
                    if resolved and any(a.name in PERSISTED_LISTS for a in self.index.ancestry(resolved)):
                        attributes.setdefault(f.name, self.attribute(f.name, f.type, c, f"public field {c.name}.{f.name}", f))
        for c, m in methods:
            if m.name.startswith("get") and not m.params and len(m.name) > 3:
                resolved = self.index.resolve(m.return_type, c) if m.return_type else None
                if resolved and any(a.name in PERSISTED_LISTS for a in self.index.ancestry(resolved)):
                    name = uncapitalize(m.name[3:])
                    if name not in exclusions:
                        attributes.setdefault(name, self.attribute(name, m.return_type, c, f"getter {c.name}.{m.name}()", m))
        for c, m in methods:
            if not (m.name.startswith("set") and len(m.name) > 3 and len(m.params) == 1) or "static" in m.modifiers:
                continue
            suffix = m.name[3:]
            name = uncapitalize(suffix)
            if name in exclusions:
                continue
            getter = next((g for _, g in methods if not g.params and (g.name == "get" + suffix or
                           (g.name == "is" + suffix and g.return_type in ("boolean", "Boolean")))), None)
            if getter is None:
                continue
            if re.sub(r"<.*", "", m.params[0].type).split(".")[-1] in ("Map", "HashMap", "TreeMap"):
                continue
            source = f"{'@DataBoundSetter ' if m.has('DataBoundSetter') else ''}setter {c.name}.{m.name}({m.params[0].type}), getter {getter.name}()"
            attributes.setdefault(name, self.attribute(name, m.params[0].type, c, source, m))
        return attributes

    def data_bound(self, cls):
        """DataBoundConfigurator.describe(): the introspected attributes plus the data-bound constructor's parameters."""
        attributes = self.introspect(cls)
        constructor = next((m for m in cls.methods if m.constructor and m.has("DataBoundConstructor")), None)
        if constructor is None:
            raise ContractError(f"{cls.fqn} has no @DataBoundConstructor at {cls.repo.name} {cls.repo.tag}")
        for p in constructor.params:
            attributes[p.name] = self.attribute(p.name, p.type, cls, f"@DataBoundConstructor parameter of {cls.name}")
        return attributes, [p.name for p in constructor.params]

    def symbols(self, implementation, api):
        """DescribableAttribute.getSymbols: @Symbol of the descriptor, then the derived names."""
        names = []
        for nested in implementation.nested.values():
            symbol = nested.annotation("Symbol")
            if symbol and nested.kind == "class" and "Descriptor" in (nested.extends or ""):
                names += nested.strings(symbol[1])
        simple = implementation.name
        if simple.endswith(api.name):
            names.append(normalize(simple[: -len(api.name)]))
        if simple.endswith(api.name + "Impl"):
            names.append(normalize(simple[: -len(api.name) - 4]))
        names.append(normalize(simple))
        return list(dict.fromkeys(n for n in names if n))


def configurator(cls, kind, attributes, extra=None):
    entry = {"class": cls.fqn, "kind": kind, "source": cls.repo.provenance(cls.path),
             "attributes": sorted(attributes.values(), key=lambda a: a["name"])}
    if extra:
        entry.update(extra)
    return entry


def added_attributes(configurator_class, extractor, index):
    """Attributes a dedicated configurator adds: `new Attribute<…>("name", Type.class)` in its source."""
    text = configurator_class.repo.show(configurator_class.path)
    found = {}
    for kind, name, type_name in re.findall(r'new\s+(Multivalued)?Attribute<[^(]*>\(\s*"(\w+)"\s*,\s*([\w.]+)\.class', text):
        element = index.resolve(type_name, configurator_class)
        found[name] = {"name": name, "type": type_name, "multiple": bool(kind), "element": element.fqn if element else None,
                       "from": f"added by {configurator_class.name}.describe()"}
    return found


def exclusions(configurator_class):
    text = configurator_class.repo.show(configurator_class.path)
    m = re.search(r"Set<String>\s+exclusions\(\)\s*\{(.*?)\}", text, re.S)
    return re.findall(r'"(\w+)"', m.group(1)) if m else []


def main():
    repo_root, output = sys.argv[1], sys.argv[2]
    core_version = core_pin(repo_root)
    pins = plugin_pins(repo_root)
    for needed in ("configuration-as-code", "matrix-auth", "amazon-ecs"):
        if needed not in pins:
            raise ContractError(f"images/jenkins-master/plugins.txt pins no {needed}")

    core = Repository("jenkinsci/jenkins", f"jenkins-{core_version}", ["core/src/main/java"])
    casc = Repository("jenkinsci/configuration-as-code-plugin", pins["configuration-as-code"], ["plugin/src/main/java"])
    matrix = Repository("jenkinsci/matrix-auth-plugin", f"matrix-auth-{pins['matrix-auth']}", ["src/main/java"])
    ecs = Repository("jenkinsci/amazon-ecs-plugin", f"amazon-ecs-{pins['amazon-ecs']}", ["src/main/java"])
    index = Index([core, casc, matrix, ecs])
    x = Extractor(index)

    # --- core, as configuration as code sees it -----------------------------------------------------------------
    jenkins = index.require("jenkins.model.Jenkins")
    jenkins_configurator = index.require("io.jenkins.plugins.casc.core.JenkinsConfigurator")
    excluded = exclusions(jenkins_configurator)
    root_attributes = x.introspect(jenkins, excluded)
    root_attributes.update(added_attributes(jenkins_configurator, x, index))

    realm = index.require("hudson.security.HudsonPrivateSecurityRealm")
    realm_configurator = index.require("io.jenkins.plugins.casc.core.HudsonPrivateSecurityRealmConfigurator")
    realm_attributes, realm_constructor = x.data_bound(realm)
    realm_attributes.update(added_attributes(realm_configurator, x, index))

    def data_bound_entry(fqn):
        cls = index.require(fqn)
        attributes, constructor = x.data_bound(cls)
        return configurator(cls, "dataBound", attributes, {"constructor": constructor})

    def descriptor_entry(fqn):
        cls = index.require(fqn)
        symbol = cls.annotation("Symbol")
        names = cls.strings(symbol[1]) if symbol else [uncapitalize(cls.name)]
        text = cls.repo.show(cls.path)
        category = re.search(r"getCategory\(\)\s*\{[^}]*GlobalConfigurationCategory\.(\w+)\.class", text)
        return configurator(cls, "descriptor", x.introspect(cls), {"names": names, "category": category.group(1) if category else "Unclassified"})

    descriptors = [descriptor_entry("jenkins.security.apitoken.ApiTokenPropertyConfiguration"),
                   descriptor_entry("jenkins.model.JenkinsLocationConfiguration")]
    categories = []
    category_configurator = index.require("io.jenkins.plugins.casc.impl.configurators.GlobalConfigurationCategoryConfigurator")
    for category_name in ("Security", "Unclassified"):
        cls = index.require(f"jenkins.model.GlobalConfigurationCategory.{category_name}")
        symbol = cls.annotation("Symbol")
        members = {d["names"][0]: {"name": d["names"][0], "aliases": d["names"][1:], "type": d["class"], "multiple": False,
                                   "element": d["class"], "from": f"descriptor in category {category_name} (getCategory)"}
                   for d in descriptors if d["category"] == category_name}
        categories.append(configurator(cls, "category", members, {
            "names": cls.strings(symbol[1]) if symbol else [category_name.lower()],
            "configurator": casc.provenance(category_configurator.path),
            "note": "its attributes are the global descriptors of the category; listed here: those extracted (others exist in other plugins)"}))

    implementations = {
        "hudson.security.SecurityRealm": [realm],
        "hudson.security.csrf.CrumbIssuer": [index.require("hudson.security.csrf.DefaultCrumbIssuer")],
        "hudson.model.UserProperty": [index.require("hudson.model.TimeZoneProperty")],
    }

    def implementation_entries(table):
        out = {}
        for api_name, classes in table.items():
            api = index.require(api_name)
            out[api_name] = [{"class": c.fqn, "symbols": x.symbols(c, api), "source": c.repo.provenance(c.path)} for c in classes]
        return out

    core_contract = {
        "consumer": "Jenkins core (jenkins/jenkins image's jenkins.war)",
        "source": core.provenance(),
        "pin": {"file": "images/jenkins-master/Dockerfile", "image": f"jenkins/jenkins:{core_version}-lts-jdk21", "core": core_version},
        "cascConfigurators": [
            configurator(jenkins, "root", root_attributes, {
                "names": ["jenkins"], "configurator": casc.provenance(jenkins_configurator.path), "excluded": excluded}),
            configurator(realm, "dataBound", realm_attributes, {
                "constructor": realm_constructor, "configurator": casc.provenance(realm_configurator.path)}),
            data_bound_entry("hudson.model.TimeZoneProperty"),
            data_bound_entry("hudson.security.csrf.DefaultCrumbIssuer"),
            *descriptors,
            *categories,
        ],
        "cascImplementations": implementation_entries(implementations),
    }

    casc_contract = {
        "consumer": "configuration-as-code plugin",
        "source": casc.provenance(),
        "pin": {"file": "images/jenkins-master/plugins.txt", "id": "configuration-as-code", "version": pins["configuration-as-code"]},
        "minimumCore": {"version": pom_property(casc, "jenkins.version"), "source": casc.provenance("pom.xml")},
        "rules": {
            "keys": "matched case-insensitively (BaseConfigurator.removeIgnoreCase)",
            "attributes": "@DataBoundConstructor parameters (DataBoundConfigurator) and every public one-argument setX with a public getX()/isX(), "
                          "@DataBoundSetter or not; public PersistedList fields and getters; Map-typed setters are skipped (BaseConfigurator.describe)",
            "symbols": "a describable's value is {symbol: attributes} or the bare symbol; symbols are the descriptor's @Symbol values, then the class name "
                       "without the extension point's name, then the class name, normalized (DescribableAttribute.getSymbols, Configurator.normalize)",
            "roots": "jenkins is JenkinsConfigurator; security and unclassified are GlobalConfigurationCategoryConfigurator over the categories' @Symbol, "
                     "their keys the global descriptors of the category by @Symbol (DescriptorConfigurator)",
            "unknown": "reject", "deprecated": "reject", "restricted": "reject",
            "policySource": casc.provenance("plugin/src/main/java/io/jenkins/plugins/casc/ConfigurationContext.java"),
        },
        "cascRoots": {
            "jenkins": "jenkins.model.Jenkins",
            "security": "jenkins.model.GlobalConfigurationCategory.Security",
            "unclassified": "jenkins.model.GlobalConfigurationCategory.Unclassified",
        },
        "cascConfigurators": [data_bound_entry("io.jenkins.plugins.casc.core.HudsonPrivateSecurityRealmConfigurator.UserWithPassword")],
    }

    # --- matrix-auth: its configurator replaces introspection -------------------------------------------------------
    strategy = index.require("hudson.security.GlobalMatrixAuthorizationStrategy")
    strategy_configurator = index.require("org.jenkinsci.plugins.matrixauth.integrations.casc.GlobalMatrixAuthorizationStrategyConfigurator")
    base = index.require("org.jenkinsci.plugins.matrixauth.integrations.casc.MatrixAuthorizationStrategyConfigurator")
    matrix_attributes = added_attributes(base, x, index)
    for legacy in ("permissions", "grantedPermissions"):
        if legacy in matrix_attributes:
            matrix_attributes[legacy]["from"] += " (legacy form; the setter logs it as deprecated)"
    api = index.require("hudson.security.AuthorizationStrategy")
    symbols = x.symbols(strategy, api)
    configured_name = re.search(r'getName\(\)\s*\{\s*return\s*"(\w+)"', strategy_configurator.repo.show(strategy_configurator.path))
    if configured_name and configured_name.group(1) not in symbols:
        symbols.insert(0, configured_name.group(1))
    matrix_contract = {
        "consumer": "matrix-auth plugin",
        "source": matrix.provenance(),
        "pin": {"file": "images/jenkins-master/plugins.txt", "id": "matrix-auth", "version": pins["matrix-auth"]},
        "minimumCore": {"version": pom_property(matrix, "jenkins.version"), "source": matrix.provenance("pom.xml")},
        "cascConfigurators": [
            configurator(strategy, "custom", matrix_attributes, {"configurator": matrix.provenance(base.path),
                                                                  "note": "describe() replaces introspection: only these attributes"}),
            data_bound_entry("org.jenkinsci.plugins.matrixauth.integrations.casc.DefinitionEntry"),
            data_bound_entry("org.jenkinsci.plugins.matrixauth.integrations.casc.DefinitionEntry.Child"),
        ],
        "cascImplementations": {"hudson.security.AuthorizationStrategy": [
            {"class": strategy.fqn, "symbols": symbols, "source": matrix.provenance(strategy_configurator.path)}]},
    }

    # --- amazon-ecs ---------------------------------------------------------------------------------------------------
    template = index.require("com.cloudbees.jenkins.plugins.amazonecs.ECSTaskTemplate")
    nested = [c for c in template.nested.values() if any(m.constructor and m.has("DataBoundConstructor") for m in c.methods)]
    ecs_contract = {
        "consumer": "amazon-ecs plugin, as configuration as code reads it",
        "source": ecs.provenance(),
        "pin": {"file": "images/jenkins-master/plugins.txt", "id": "amazon-ecs", "version": pins["amazon-ecs"]},
        "minimumCore": {"version": pom_property(ecs, "jenkins.version"), "source": ecs.provenance("pom.xml")},
        "cascConfigurators": [data_bound_entry("com.cloudbees.jenkins.plugins.amazonecs.ECSCloud"),
                          data_bound_entry(template.fqn),
                          *[data_bound_entry(c.fqn) for c in sorted(nested, key=lambda c: c.name)]],
        "cascImplementations": implementation_entries({"hudson.slaves.Cloud": [index.require("com.cloudbees.jenkins.plugins.amazonecs.ECSCloud")]}),
    }

    os.makedirs(output, exist_ok=True)
    for file_name, contract in (("jenkins-core.json", core_contract), ("configuration-as-code.json", casc_contract),
                                ("matrix-auth.json", matrix_contract), ("amazon-ecs-casc.json", ecs_contract)):
        contract = {"generatedBy": "tools/contracts/extract-casc.py", **contract}
        with open(os.path.join(output, file_name), "w") as f:
            json.dump(contract, f, indent=2)
            f.write("\n")
        print(f"extract-casc: {file_name}: {sum(len(c['attributes']) for c in contract['cascConfigurators'])} attributes "
              f"of {len(contract['cascConfigurators'])} configurators")


if __name__ == "__main__":
    try:
        main()
    except ContractError as e:
        print(f"extract-casc: {e}", file=sys.stderr)
        sys.exit(1)
