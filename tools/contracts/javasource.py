"""Reads Java declarations (classes, constructors, methods, fields, annotations) from fetched bare git repositories.

A small declaration reader, not a compiler: enough to list what Jenkins' data binding and configuration as code
see of a class (constructors, public setters and getters, public fields, @Symbol names, superclasses). It reads
sources with `git show TAG:PATH`; nothing is checked out or built. Used by tools/contracts/extract-*.py.
"""

import os
import re
import subprocess

MODIFIERS = {"public", "protected", "private", "static", "final", "abstract", "synchronized", "native",
             "transient", "volatile", "default", "strictfp", "sealed", "non-sealed"}


class ContractError(Exception):
    pass


REPOSITORY_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Where the consumers' sources are cloned when CONTRACTS_MIRROR is unset (ignored by git: see .gitignore).
CACHE = os.path.join(REPOSITORY_ROOT, ".cache", "sources")


def mirror_root():
    """The folder of the consumers' sources, one bare repository per <owner>+<name>/repo: $CONTRACTS_MIRROR when set,
    else the repository's ignored cache, filled from the public repositories on first use."""
    return os.environ.get("CONTRACTS_MIRROR") or CACHE


def _run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def git_dir(name, tag=None):
    """The bare repository of `name` (owner/name) that holds `tag`.

    Under $CONTRACTS_MIRROR it must be there already (that folder is someone else's; nothing is fetched into it).
    In the cache it is cloned from https://github.com/<owner>/<name>.git (bare, without blobs until read) when
    missing, and its tags fetched again when `tag` is not among them (a pin newer than the clone)."""
    folder = os.path.join(mirror_root(), name.replace("/", "+"), "repo")
    given = bool(os.environ.get("CONTRACTS_MIRROR"))
    if given:
        if not os.path.isdir(folder):
            raise ContractError(f"{name} is not at {folder}: CONTRACTS_MIRROR holds <owner>+<name>/repo bare clones; "
                                f"clone it there (git clone --bare https://github.com/{name}.git {folder}), "
                                f"or unset CONTRACTS_MIRROR to clone into .cache/sources")
        return folder
    url = f"https://github.com/{name}.git"
    if not os.path.isdir(folder):
        os.makedirs(os.path.dirname(folder), exist_ok=True)
        clone = _run("git", "clone", "--quiet", "--bare", "--filter=blob:none", url, folder)
        if clone.returncode != 0:
            raise ContractError(f"cloning {url} into {folder} failed: {clone.stderr.strip()}")
    if tag and tag != "HEAD" and _run("git", "-C", folder, "rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}").returncode != 0:
        fetch = _run("git", "-C", folder, "fetch", "--quiet", "--tags", url)
        if fetch.returncode != 0:
            raise ContractError(f"fetching the tags of {url} into {folder} failed: {fetch.stderr.strip()}")
    return folder


class Repository:
    """One fetched repository at one tag."""

    def __init__(self, name, tag, roots):
        self.name = name
        self.tag = tag
        self.git_dir = git_dir(name, tag)
        try:
            self.commit = self._git("rev-parse", f"{tag}^{{commit}}").strip()
        except ContractError:
            raise ContractError(f"{name} has no tag {tag}: the pin names a release that is not among its public tags")
        self.roots = roots
        self.paths = [p for p in self._git("ls-tree", "-r", "--name-only", tag).splitlines()
                      if p.endswith(".java") and any(p.startswith(r + "/") for r in roots)]

    def _git(self, *args):
        run = subprocess.run(["git", "-C", self.git_dir, *args], capture_output=True, text=True)
        if run.returncode != 0:
            raise ContractError(f"git {' '.join(args)} in {self.git_dir}: {run.stderr.strip()}")
        return run.stdout

    def show(self, path):
        return self._git("show", f"{self.tag}:{path}")

    def provenance(self, path=None):
        p = {"repository": self.name, "tag": self.tag, "commit": self.commit}
        if path:
            p["path"] = path
        return p

    def top_level_names(self):
        for path in self.paths:
            root = next(r for r in self.roots if path.startswith(r + "/"))
            yield path[len(root) + 1:-5].replace("/", "."), path


def strip(text):
    """Removes comments and replaces string and char literals by "S<n>" tokens; returns (code, literals)."""
    out = []
    literals = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            literals.append(text[i + 3:j - 3])
            out.append(f'"S{len(literals) - 1}"')
            i = j
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            literals.append(text[i + 1:j])
            out.append(f'"S{len(literals) - 1}"' if c == '"' else "'c'")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out), literals


def matching(code, i, open_char, close_char):
    depth = 0
    for j in range(i, len(code)):
        if code[j] == open_char:
            depth += 1
        elif code[j] == close_char:
            depth -= 1
            if depth == 0:
                return j
    raise ContractError(f"unbalanced {open_char}{close_char}")


def split_top(text, sep=","):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "(<[{":
            depth += 1
        elif c in ")>]}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


ANNOTATION = re.compile(r"@\s*([\w.]+)")


def take_annotations(text):
    """Leading annotations of a declaration: ([(name, args)], rest)."""
    annotations = []
    text = text.strip()
    while True:
        m = ANNOTATION.match(text)
        if not m or text.startswith("@interface"):
            return annotations, text
        end = m.end()
        rest = text[end:].lstrip()
        args = None
        if rest.startswith("("):
            close = matching(rest, 0, "(", ")")
            args = rest[1:close]
            rest = rest[close + 1:]
        annotations.append((m.group(1).split(".")[-1], args))
        text = rest.strip()


def take_modifiers(text):
    mods, annotations = [], []
    while True:
        found, text = take_annotations(text)
        annotations += found
        m = re.match(r"([\w-]+)(?![\w-])", text)
        if m and m.group(1) in MODIFIERS:
            mods.append(m.group(1))
            text = text[m.end():].strip()
            continue
        return mods, annotations, text


class JavaClass:
    def __init__(self, name, kind, outer, package, path, repo, literals):
        self.name = name
        self.kind = kind
        self.outer = outer
        self.package = package
        self.path = path
        self.repo = repo
        self.literals = literals
        self.annotations = []
        self.modifiers = []
        self.extends = None
        self.type_parameters = []
        self.methods = []
        self.fields = []
        self.nested = {}
        self.imports = []

    @property
    def fqn(self):
        return (self.outer.fqn + "." if self.outer else (self.package + "." if self.package else "")) + self.name

    @property
    def binary_name(self):
        return (self.outer.binary_name + "$" if self.outer else (self.package + "." if self.package else "")) + self.name

    def annotation(self, name):
        return next((a for a in self.annotations if a[0] == name), None)

    def strings(self, args):
        """The string literals of an annotation's arguments."""
        return [self.literals[int(i)] for i in re.findall(r'"S(\d+)"', args or "")]

    def abstract(self):
        return self.kind == "interface" or "abstract" in self.modifiers


class Member:
    def __init__(self, **values):
        self.__dict__.update(values)

    def has(self, annotation):
        return any(a[0] == annotation for a in self.annotations)


CLASS_HEADER = re.compile(r"\b(class|interface|enum|record|@interface)\s+(\w+)")


def parse_file(repo, path):
    code, literals = strip(repo.show(path))
    package = re.search(r"^\s*package\s+([\w.]+)\s*;", code, re.M)
    package = package.group(1) if package else ""
    imports = re.findall(r"^\s*import\s+(static\s+)?([\w.]+(?:\.\*)?)\s*;", code, re.M)
    classes = []
    _members(code, 0, len(code), None, package, path, repo, literals, classes, [i[1] for i in imports if not i[0]])
    return classes


def _members(code, start, end, owner, package, path, repo, literals, out, imports):
    i = start
    chunk_start = start
    paren = 0
    while i < end:
        c = code[i]
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif c == ";" and paren == 0:
            _declaration(code[chunk_start:i], None, owner)
            chunk_start = i + 1
        elif c == "{" and paren == 0:
            close = matching(code, i, "{", "}")
            header = code[chunk_start:i]
            mods, annotations, declared = take_modifiers(header)
            head = CLASS_HEADER.match(declared)
            if head:
                header = declared
                cls = JavaClass(head.group(2), head.group(1), owner, package, path, repo, literals)
                cls.modifiers = mods
                cls.annotations = annotations
                cls.imports = imports
                after = header[head.end():].strip()
                if after.startswith("<"):
                    close_generic = matching(after, 0, "<", ">")
                    cls.type_parameters = [p.split()[0] for p in split_top(after[1:close_generic])]
                    after = after[close_generic + 1:]
                ext = re.search(r"\bextends\s+([\w.]+\s*(<.*?>)?)(?=\s*(implements|permits|$))", after.strip(), re.S)
                if ext and cls.kind == "class":
                    cls.extends = re.sub(r"\s+", "", ext.group(1))
                if owner:
                    owner.nested[cls.name] = cls
                else:
                    out.append(cls)
                body_start = i + 1
                if cls.kind == "enum":
                    # Enum constants come first, up to the first top-level ";".
                    semi = _top_semicolon(code, body_start, close)
                    body_start = close if semi is None else semi + 1
                _members(code, body_start, close, cls, package, path, repo, literals, out, imports)
                i = close + 1
                chunk_start = i
                continue
            if "=" in _top_text(header) or owner is None:
                # An initializer (array, lambda, anonymous class): part of the field up to its ";".
                i = close + 1
                continue
            _declaration(header, True, owner)
            i = close + 1
            chunk_start = i
            continue
        i += 1


def _top_semicolon(code, start, end):
    depth = 0
    for j in range(start, end):
        if code[j] in "({[":
            depth += 1
        elif code[j] in ")}]":
            depth -= 1
        elif code[j] == ";" and depth == 0:
            return j
    return None


def _top_text(header):
    """The header without anything inside parentheses or angle brackets."""
    out, depth = [], 0
    for c in header:
        if c in "(<":
            depth += 1
        elif c in ")>":
            depth -= 1
        elif depth == 0:
            out.append(c)
    return "".join(out)


def _declaration(text, has_body, owner):
    if owner is None:
        return
    mods, annotations, rest = take_modifiers(text)
    rest = rest.strip()
    if not rest or rest.startswith("static") or rest == "":
        return
    top = _top_text(rest)
    paren = rest.find("(")
    if paren >= 0 and "=" not in top.split("(")[0] and "=" not in rest[:paren]:
        before = rest[:paren].strip()
        names = re.findall(r"[\w$]+", before)
        if not names:
            return
        name = names[-1]
        type_part = before[:before.rfind(name)].strip()
        if type_part.startswith("<"):
            type_part = type_part[matching(type_part, 0, "<", ">") + 1:].strip()
        close = matching(rest, paren, "(", ")")
        params = []
        for p in split_top(rest[paren + 1:close]):
            p_annotations, p_rest = [], p
            while True:
                mods_p, ann, p_rest = take_modifiers(p_rest)
                p_annotations += ann
                if not ann and not mods_p:
                    break
            words = p_rest.replace("...", "[] ").split()
            if len(words) < 2:
                continue
            params.append(Member(name=words[-1], type=re.sub(r"\s+", "", " ".join(words[:-1])), annotations=p_annotations))
        owner.methods.append(Member(name=name, constructor=(type_part == "" and name == owner.name),
                                    return_type=re.sub(r"\s+", "", type_part), params=params,
                                    modifiers=mods, annotations=annotations))
        return
    # Fields: "Type a, b = x" (the initializer may hold anything).
    declarators = split_top(rest)
    if not declarators:
        return
    first = declarators[0].split("=")[0].strip()
    words = re.findall(r"[\w$.<>\[\],?]+", first)
    if len(words) < 2:
        return
    field_type = re.sub(r"\s+", "", first[:first.rfind(words[-1])])
    for d in declarators:
        name = d.split("=")[0].strip().split()[-1]
        owner.fields.append(Member(name=name, type=field_type, modifiers=mods, annotations=annotations))


class Index:
    """Every top-level class of the given repositories, parsed on demand."""

    def __init__(self, repositories):
        self.top = {}
        for repo in repositories:
            for fqn, path in repo.top_level_names():
                self.top.setdefault(fqn, (repo, path))
        self.parsed = {}

    def _file(self, fqn):
        if fqn not in self.parsed:
            repo, path = self.top[fqn]
            self.parsed[fqn] = parse_file(repo, path)
        return self.parsed[fqn]

    def get(self, name):
        """A class by its dotted name (nested classes dotted too), or None."""
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            top = ".".join(parts[:cut])
            if top in self.top:
                cls = next((c for c in self._file(top) if c.name == parts[cut - 1]), None)
                for nested in parts[cut:]:
                    cls = cls.nested.get(nested) if cls else None
                return cls
        return None

    def require(self, name):
        cls = self.get(name)
        if cls is None:
            raise ContractError(f"class {name} is not in the fetched sources")
        return cls

    def resolve(self, type_name, context):
        """A type name as written in `context` (generics stripped) to its class, or None."""
        name = re.sub(r"<.*", "", type_name).rstrip("[]").strip()
        first, _, rest = name.partition(".")
        scope = context
        while scope is not None:
            if scope.name == first and rest == "":
                return scope
            if first in scope.nested:
                return self._descend(scope.nested[first], rest)
            # Nested classes of superclasses are in scope too.
            sup = self.superclass(scope)
            while sup is not None:
                if first in sup.nested:
                    return self._descend(sup.nested[first], rest)
                sup = self.superclass(sup)
            scope = scope.outer
        for imported in context.imports:
            if imported.endswith("." + first):
                return self.get(imported + ("." + rest if rest else ""))
        same = self.get(f"{context.package}.{name}") if context.package else None
        if same:
            return same
        for imported in context.imports:
            if imported.endswith(".*"):
                found = self.get(imported[:-1] + name)
                if found:
                    return found
        return self.get(name)

    def _descend(self, cls, rest):
        for part in [p for p in rest.split(".") if p]:
            cls = cls.nested.get(part) if cls else None
        return cls

    def superclass(self, cls):
        if not cls.extends:
            return None
        # The superclass name is resolved in the scope around the class (its outer class, or its file), not in
        # the class itself.
        probe = _file_scope(cls)
        probe.outer = cls.outer
        return self.resolve(cls.extends, probe)

    def ancestry(self, cls):
        chain = []
        while cls is not None and cls not in chain:
            chain.append(cls)
            cls = self.superclass(cls)
        return chain


def _file_scope(cls):
    probe = JavaClass("", "class", None, cls.package, cls.path, cls.repo, cls.literals)
    probe.imports = cls.imports
    return probe


def generic_arguments(type_name):
    m = re.search(r"<(.*)>", type_name)
    return split_top(m.group(1)) if m else []


def pom_property(repo, name):
    """A property of the repository's pom.xml at its tag, with ${...} references filled in."""
    pom = repo.show("pom.xml")
    props = dict(re.findall(r"<([\w.-]+)>([^<]*)</\1>", pom.split("<properties>", 1)[1].split("</properties>", 1)[0]))
    value = props.get(name)
    if value is None:
        raise ContractError(f"{repo.name} {repo.tag} pom.xml has no <{name}>")
    for _ in range(5):
        value = re.sub(r"\$\{([\w.-]+)\}", lambda m: props.get(m.group(1), m.group(0)), value)
    return value


def method_with_body(text, signature, path):
    """The declaration matched by the regular expression `signature` and the method's body after it, braces balanced."""
    match = re.search(signature, text)
    if not match:
        raise ContractError(f"{path}: no method matching {signature!r}; review the contract's source")
    start = text.index("{", match.end())
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return match.group(0), text[start:i + 1]
    raise ContractError(f"{path}: the method {signature!r} never closes")


def require(pattern, text, what, path):
    """The first match of `pattern` in a method's text, or a ContractError saying the method changed."""
    match = re.search(pattern, text)
    if not match:
        raise ContractError(f"{path}: {what} not found (pattern {pattern!r}); the method changed: review the contract and the stand-in")
    return match
