#!/usr/bin/env python3
"""Extracts contracts/inbound-agent.json from jenkinsci/docker-agent at the tag the agent Dockerfiles pin.

What it records: how the inbound agent image's entrypoint (`jenkins-agent`, its ENTRYPOINT) turns environment
variables and positional arguments into the java command it execs, and the image's AGENT_WORKDIR, user and
entrypoint (debian/Dockerfile, the default image the -jdk21 tags are built from).

Read from the script, not typed in: the exec line's word order; for each word the script assigns, its value and
the conditions it is assigned under, each condition normalised to one of a few forms (variable set, variable
equals a value, the arguments lack a text). The environment variables it reads: those it references and never
assigns, plus those its header documents. A construct this script does not recognise fails the extraction,
naming it: review the entrypoint then.

Usage: extract-inbound-agent.py [--check]   (--check: fail when the committed contract differs)
Sources: jenkinsci+docker-agent/repo under javasource.mirror_root() ($CONTRACTS_MIRROR, else .cache/sources, cloned on first use).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from javasource import ContractError, git_dir  # noqa: E402

REPOSITORY = "jenkinsci/docker-agent"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# regenerate.sh passes a scratch folder (CONTRACTS_OUTPUT); run alone, the script writes contracts/ itself.
OUTPUT = os.path.join(os.environ.get("CONTRACTS_OUTPUT") or os.path.join(ROOT, "contracts"), "inbound-agent.json")


def fail(message):
    sys.exit(f"extract-inbound-agent: {message}")


def git(tag, *args):
    """git in the bare repository of the agent image's sources that holds `tag` (javasource.git_dir: the given
    mirror, or the cache cloned on first use)."""
    try:
        folder = git_dir(REPOSITORY, tag)
    except ContractError as error:
        fail(str(error))
    result = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"git {' '.join(args)} failed in {folder}: {result.stderr.strip()}")
    return result.stdout


def pinned_tag():
    """The tag of the inbound-agent image every agent Dockerfile pins (they must agree)."""
    tags = set()
    agents = os.path.join(ROOT, "images", "agents")
    for toolchain in sorted(os.listdir(agents)):
        with open(os.path.join(agents, toolchain, "Dockerfile"), encoding="utf-8") as dockerfile:
            match = re.search(r"^ARG BASE_IMAGE=jenkins/inbound-agent:(\S+)$", dockerfile.read(), re.M)
        if not match:
            fail(f"images/agents/{toolchain}/Dockerfile pins no jenkins/inbound-agent base")
        tags.add(match.group(1))
    if len(tags) != 1:
        fail(f"the agent Dockerfiles pin different inbound-agent images: {sorted(tags)}")
    image_tag = tags.pop()
    match = re.fullmatch(r"(.+-\d+)-jdk\d+", image_tag)
    if not match:
        fail(f"inbound-agent:{image_tag} is not of the form <remoting>-<build>-jdk<N> (docker-bake.hcl's tags)")
    return image_tag, match.group(1)


def condition(text):
    """A test of the script as a normalised condition, or a failure naming it."""
    text = text.strip()
    forms = [
        (r'\[ -n "\$(\w+)" \]', lambda m: {"set": m.group(1)}),
        (r'\[ ! -z "\$(\w+)" \]', lambda m: {"set": m.group(1)}),
        (r'\[ "\$(\w+)" \]', lambda m: {"set": m.group(1)}),
        (r'\[ "\$(\w+)" = (\w+) \]', lambda m: {"equals": [m.group(1), m.group(2)]}),
    ]
    for pattern, form in forms:
        match = re.fullmatch(pattern, text)
        if match:
            return form(match)
    fail(f"the entrypoint tests `{text}`, which this script does not know")


def case_pattern(text):
    """The text a `case "$@" in *"X"*)` pattern looks for in the arguments."""
    match = re.fullmatch(r'\*"([^"]+)"\*\)', text.strip().split(")")[0] + ")")
    if not match:
        fail(f"the entrypoint matches its arguments against `{text}`, which this script does not know")
    value = match.group(1)
    variable = re.fullmatch(r"\$\{(\w+)\}", value)
    return {"argumentsLackValueOf": variable.group(1)} if variable else {"argumentsLack": value}


def parse(script):
    stack = []      # open blocks: ("if", [conditions]) / ("case", condition) / ("branch", condition)
    assignments = {}
    found = {"exec": None, "alternate": None}

    def guards():
        return [c for kind, cs in stack if kind in ("if", "branch") for c in (cs if isinstance(cs, list) else [cs])]

    def handle(line, number):
        if not line or line.startswith("#"):
            return
        if line.endswith(";;") and any(kind == "branch" for kind, _ in stack) and not (stack[-1][0] == "case"):
            handle(line[:-2].strip(), number)
            if stack.pop()[0] != "branch":
                fail(f"line {number}: `;;` closes no case branch")
            return
        if re.fullmatch(r'if \[ \$# -eq 1 \] && \[ "\$\{1#-\}" = "\$1" \] ; then', line):
            stack.append(("if", [{"alternate": True}]))
            return
        match = re.fullmatch(r"if (.+); then", line)
        if match:
            stack.append(("if", [condition(match.group(1))]))
            return
        if line == "else":
            kind, conditions = stack.pop()
            if kind != "if":
                fail(f"line {number}: else outside an if")
            stack.append(("if", [{"not": conditions[0]}]))
            return
        if line == "fi":
            stack.pop()
            return
        if line == 'case "$@" in':
            stack.append(("case", None))
            return
        if line == "esac":
            stack.pop()
            return
        if stack and stack[-1][0] == "case":
            pattern, _, action = line.partition(")")
            action = action.strip()
            if pattern.strip() == "*":
                stack.append(("branch", stack[-1][1]))
                handle(action, number)
                return
            if not action.endswith(";;") or not (action == ";;" or action.startswith("echo ")):
                fail(f"line {number}: a case branch that does more than warn: `{line}`")
            stack[-1] = ("case", case_pattern(pattern + ")"))
            return
        if line.startswith("exec "):
            if guards() == [{"alternate": True}]:
                found["alternate"] = line
            else:
                found["exec"] = line
            return
        if line.startswith("eval "):
            match = re.fullmatch(r'eval "(\w+)=\(\$(\w+)\)"', line)
            if not match:
                fail(f"line {number}: unknown eval `{line}`")
            assignments.setdefault(match.group(1), []).append({"value": "$" + match.group(2) + " (split like shell words)", "when": []})
            return
        record(assignments, line, guards(), number)

    for number, raw in enumerate(script.splitlines(), 1):
        handle(raw.strip(), number)
    if found["exec"] is None:
        fail("the entrypoint execs no java command")
    return assignments, found["exec"], found["alternate"]


def record(assignments, line, guards, number):
    match = re.fullmatch(r'(\w+)=("?)(.*)\2', line)
    if not match:
        if line.startswith("echo "):
            return
        fail(f"line {number}: `{line}` is no assignment this script knows")
    guards = [g for g in guards if g != {"not": {"alternate": True}}]
    assignments.setdefault(match.group(1), []).append({"value": match.group(3), "when": guards})


# Inputs covering every word of the java command: ECS's launch, and the variables and clashes around it. The real
# entrypoint runs on each (run_entrypoint); the tests hold the contract's reading of the script against what it did.
ENTRYPOINT_RUNS = [
    ("ECS launch (task definition and plugin)",
     {"JENKINS_WEB_SOCKET": "true", "JENKINS_AGENT_WORKDIR": "/home/jenkins/agent", "SLAVE_NODE_NAME": "a-1", "SLAVE_NODE_SECRET": "0123"},
     ["-url", "http://master/", "0123", "a-1"]),
    ("plugin only (the old task definition)", {"SLAVE_NODE_NAME": "a-1", "SLAVE_NODE_SECRET": "0123"}, ["-url", "http://master/", "0123", "a-1"]),
    ("web socket other than exactly true", {"JENKINS_WEB_SOCKET": "TRUE"}, ["-url", "http://master/", "0123", "a-1"]),
    ("every variable",
     {"JENKINS_URL": "http://env/", "JENKINS_TUNNEL": "host:50000", "JENKINS_SECRET": "abc", "JENKINS_AGENT_NAME": "n1",
      "JENKINS_DIRECT_CONNECTION": "host:1", "JENKINS_PROTOCOLS": "JNLP4-connect", "JENKINS_INSTANCE_IDENTITY": "id",
      "JENKINS_JAVA_OPTS": "-Xmx1g -Dx=y", "JAVA_OPTS": "-Xmx9g", "REMOTING_OPTS": "-noReconnect -text",
      "JENKINS_AGENT_FILE": "/usr/share/jenkins/agent.jar", "JENKINS_AGENT_WORKDIR": "/w"},
     ["-headless"]),
    ("name from JENKINS_NAME, JAVA_OPTS as fallback", {"JENKINS_NAME": "n2", "JENKINS_AGENT_NAME": "n1", "JAVA_OPTS": "-Xss2m"}, ["-url", "http://master/"]),
    ("secret and tunnel also in the arguments", {"JENKINS_SECRET": "0123", "JENKINS_TUNNEL": "t:1", "JENKINS_AGENT_WORKDIR": "/w"},
     ["-tunnel", "x:2", "-workDir", "/v", "0123", "a-1"]),
]

# The JAVA_HOME each run records: the script runs a java that prints its arguments from a scratch folder, whose
# path in the printed command is written as this value.
RECORDED_JAVA_HOME = "/opt/java/openjdk"


def run_entrypoint(script):
    """Runs the real `jenkins-agent` with bash on each of ENTRYPOINT_RUNS, with only the run's variables, JAVA_HOME and
    PATH set, and a java that prints its arguments: the java command it execs, word by word."""
    if shutil.which("bash") is None:
        fail("bash is needed to run the entrypoint")
    scratch = tempfile.mkdtemp(prefix="entrypoint-")
    try:
        entrypoint = os.path.join(scratch, "jenkins-agent")
        with open(entrypoint, "w", encoding="utf-8") as out:
            out.write(script)
        java_home = os.path.join(scratch, "jdk")
        java = os.path.join(java_home, "bin", "java")
        os.makedirs(os.path.dirname(java))
        with open(java, "w", encoding="utf-8") as out:
            out.write("#!/bin/sh\nprintf 'argv: %s\\n' \"$0\" \"$@\"\n")
        os.chmod(java, 0o755)
        runs = []
        for name, environment, arguments in ENTRYPOINT_RUNS:
            result = subprocess.run(["bash", entrypoint, *arguments], capture_output=True, text=True,
                                    env={**environment, "JAVA_HOME": java_home, "PATH": "/usr/bin:/bin"})
            if result.returncode != 0:
                fail(f"the entrypoint failed on \"{name}\" (exit {result.returncode}): {result.stderr.strip()}")
            command = [line[len("argv: "):] for line in result.stdout.splitlines() if line.startswith("argv: ")]
            if not command or command[0] != java:
                fail(f"the entrypoint ran no java on \"{name}\": {result.stdout.strip()} {result.stderr.strip()}")
            command[0] = RECORDED_JAVA_HOME + command[0][len(java_home):]
            runs.append({"name": name, "environment": {**environment, "JAVA_HOME": RECORDED_JAVA_HOME},
                         "arguments": arguments, "javaCommand": command})
        return runs
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    image_tag, tag = pinned_tag()
    commit = git(tag, "rev-parse", f"{tag}^{{commit}}").strip()
    script = git(tag, "show", f"{tag}:jenkins-agent")
    dockerfile = git(tag, "show", f"{tag}:debian/Dockerfile")

    assignments, exec_line, alternate = parse(script)
    words = exec_line.split()[1:]
    locals_ = set(assignments)
    documented = set(re.findall(r"^# \* (\w+)\s*:", script, re.M))
    referenced = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", script))
    inputs = sorted((referenced - locals_) | (documented & referenced))

    def variable_of(word):
        match = re.fullmatch(r'"?\$\{?(\w+)(?:\[@\])?\}?"?', word)
        return match.group(1) if match else None

    command = []
    for word in words:
        variable = variable_of(word)
        if word == '"$@"':
            command.append({"arguments": True})
        elif variable and variable in assignments:
            command.append({"word": variable, "values": assignments[variable]})
        elif variable:
            fail(f"the exec line uses ${variable}, which the script never assigns")
        else:
            command.append({"literal": word})

    user = re.search(r"^ARG user=(\w+)$", dockerfile, re.M)
    workdir = re.search(r'^ARG AGENT_WORKDIR=/home/"\$\{user\}"/agent$', dockerfile, re.M)
    entrypoint = re.search(r"^ENTRYPOINT (\[.*\])$", dockerfile, re.M)
    if not (user and workdir and entrypoint and re.search(r"^ENV AGENT_WORKDIR=\$\{AGENT_WORKDIR\}$", dockerfile, re.M)):
        fail("debian/Dockerfile no longer has ARG user, ARG/ENV AGENT_WORKDIR=/home/${user}/agent and an ENTRYPOINT")

    contract = {
        "provenance": {
            "repository": REPOSITORY,
            "tag": tag,
            "commit": commit,
            "image": f"jenkins/inbound-agent:{image_tag}",
            "paths": ["jenkins-agent", "debian/Dockerfile"],
            "extractedBy": "tools/contracts/extract-inbound-agent.py",
        },
        "image": {
            "user": user.group(1),
            "agentWorkdir": f"/home/{user.group(1)}/agent",
            "entrypoint": json.loads(entrypoint.group(1)),
        },
        "entrypoint": {
            "environmentRead": inputs,
            # Input variables the script reassigns before it builds the command (JENKINS_NAME wins over JENKINS_AGENT_NAME).
            "environmentAssignedFirst": {name: assignments[name] for name in inputs if name in assignments},
            "alternateCommand": "exactly one argument that does not start with '-': exec it instead of the agent" if alternate else None,
            "javaCommand": command,
            "evaluation": "each word's values are assignments in script order: the last whose conditions all hold gives the "
                          "word, none leaves it empty; $NAME and ${NAME} are the variable's value; the words are unquoted, "
                          "so each splits on blanks and an empty one disappears; arguments are the container's command, as given",
            "conditionForms": {
                "set": "the variable is set and not empty",
                "equals": "the variable's value is exactly this text",
                "argumentsLack": "no argument (joined with spaces) contains this text",
                "argumentsLackValueOf": "the arguments (joined with spaces) do not contain the variable's value",
                "not": "the condition is false",
            },
            "runs": "the script at this tag run by bash with only these variables (JAVA_HOME a folder whose java prints "
                    "its arguments) and these arguments, and the java command it executed",
            "observedRuns": run_entrypoint(script),
        },
    }
    text = json.dumps(contract, indent=2) + "\n"
    if "--check" in sys.argv:
        with open(OUTPUT, encoding="utf-8") as committed:
            if committed.read() != text:
                fail(f"{os.path.relpath(OUTPUT, ROOT)} differs from the source at {tag}: run tools/contracts/regenerate.sh")
        return
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"{os.path.relpath(OUTPUT, ROOT)} from {REPOSITORY} {tag}")


if __name__ == "__main__":
    main()
