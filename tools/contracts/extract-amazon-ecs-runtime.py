#!/usr/bin/env python3
"""Extracts contracts/amazon-ecs-runtime.json from the amazon-ecs plugin's source at the pinned tag.

What it records: which agent-template keys the plugin still reads when a template sets taskDefinitionOverride
(the task definition is then run as it is), and what the plugin hands the agent container at RunTask (the
container it targets, the command override, the environment variables it adds).

The facts are read from the source, not typed in: the template's keys from ECSTaskTemplate's
@DataBoundConstructor and @DataBoundSetter methods; the keys read under an override from the getters that the
code on the override path calls (ECSService.registerTemplate up to its override return, ECSService.runEcsTask,
ECSSlave's constructor, ECSCloud.provision and its template lookup), each getter resolved to the fields its body
reads; the command from ECSLauncher.getDockerRunCommand; the variables from runEcsTask. Where the source no
longer has the shape this script expects it fails, naming what it could not find: review the plugin then.

Usage: extract-amazon-ecs-runtime.py [--check]   (--check: fail when the committed contract differs)
Sources: jenkinsci+amazon-ecs-plugin/repo under javasource.mirror_root() ($CONTRACTS_MIRROR, else .cache/sources, cloned on first use).
"""
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from javasource import ContractError, git_dir  # noqa: E402

REPOSITORY = "jenkinsci/amazon-ecs-plugin"
TAG = "amazon-ecs-1.49"
PACKAGE = "src/main/java/com/cloudbees/jenkins/plugins/amazonecs"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# regenerate.sh passes a scratch folder (CONTRACTS_OUTPUT); run alone, the script writes contracts/ itself.
OUTPUT = os.path.join(os.environ.get("CONTRACTS_OUTPUT") or os.path.join(ROOT, "contracts"), "amazon-ecs-runtime.json")


def fail(message):
    sys.exit(f"extract-amazon-ecs-runtime: {message}")


def git(*args):
    """git in the plugin's bare repository (javasource.git_dir: the given mirror, or the cache cloned on first use)."""
    try:
        folder = git_dir(REPOSITORY, TAG)
    except ContractError as error:
        fail(str(error))
    result = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"git {' '.join(args)} failed in {folder}: {result.stderr.strip()}")
    return result.stdout


def source(name):
    return git("show", f"{TAG}:{PACKAGE}/{name}.java")


def body(text, signature_pattern, what):
    """The text between the braces of the first method whose signature matches."""
    match = re.search(signature_pattern, text)
    if not match:
        fail(f"{what}: not found (pattern {signature_pattern})")
    start = text.index("{", match.end() - 1)
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:index]
    fail(f"{what}: unbalanced braces")


def template_calls(text):
    return set(re.findall(r"\b(?:template|getTemplate\(\)|t)\.((?:get|is|make)[A-Za-z]+)\(", text))


def main():
    commit = git("rev-parse", f"{TAG}^{{commit}}").strip()
    template = source("ECSTaskTemplate")
    service = source("ECSService")
    launcher = source("ECSLauncher")
    slave = source("ECSSlave")
    cloud = source("ECSCloud")

    # --- the keys a template has (what configuration as code binds) -------------------------------------------
    constructor = re.search(r"@DataBoundConstructor\s+public ECSTaskTemplate\((.*?)\)\s*\{", template, re.S)
    if not constructor:
        fail("ECSTaskTemplate's @DataBoundConstructor not found")
    parameters = []
    for parameter in constructor.group(1).split(","):
        words = re.sub(r"@\w+|\bfinal\b", "", parameter).split()
        parameters.append(words[-1])
    setters = [name[0].lower() + name[1:] for name in re.findall(r"@DataBoundSetter\s+public void set(\w+)\(", template)]
    keys = parameters + [s for s in setters if s not in parameters]
    fields = set(keys) | {"dynamicTaskDefinitionOverride"}

    # --- under an override, the constructor keeps the override and drops the template name ----------------------
    override_branch = body(template[constructor.end() - 1:], r"if \(taskDefinitionOverride != null[^{]*\{", "the constructor's override branch")
    if 'this.templateName = "";' not in override_branch:
        fail("ECSTaskTemplate's constructor no longer blanks templateName under taskDefinitionOverride: review the contract")
    if "this.agentContainerName = agentContainerName.trim();" not in override_branch:
        fail("ECSTaskTemplate's constructor no longer keeps agentContainerName under taskDefinitionOverride")

    # --- registerTemplate returns the described override as it is ----------------------------------------------
    register = body(service, r"TaskDefinition registerTemplate\(", "ECSService.registerTemplate")
    early = re.search(r"if \(template\.getTaskDefinitionOverride\(\) != null\)\s*\{(.*?)return overrideTaskDefinition;\s*\}", register, re.S)
    if not early or "findTaskDefinition(template.getTaskDefinitionOverride())" not in early.group(1):
        fail("ECSService.registerTemplate no longer returns the override's task definition first: review the contract")
    find = body(service, r"TaskDefinition findTaskDefinition\(", "ECSService.findTaskDefinition")
    if "describeTaskDefinition" not in find:
        fail("ECSService.findTaskDefinition no longer calls DescribeTaskDefinition")

    # --- getters called on the override path, and the fields each one reads ------------------------------------
    run_task = body(service, r"RunTaskResult runEcsTask\(", "ECSService.runEcsTask")
    slave_constructor = body(slave, r"public ECSSlave\(", "ECSSlave's constructor")
    provision = body(cloud, r"Collection<NodeProvisioner\.PlannedNode> provision\(", "ECSCloud.provision")
    lookup = body(cloud, r"private ECSTaskTemplate getTemplate\(Label label\)", "ECSCloud.getTemplate(Label)")
    used_by = {
        "ECSService.registerTemplate (override branch)": template_calls(register[:early.end()]),
        "ECSService.runEcsTask": template_calls(run_task),
        "ECSSlave constructor": template_calls(slave_constructor),
        "ECSCloud.provision": template_calls(provision),
        "ECSCloud.getTemplate(Label)": template_calls(lookup),
    }
    read = {}
    for where, getters in sorted(used_by.items()):
        for getter in sorted(getters):
            # Members of ECSTaskTemplate itself are indented by four spaces; its nested classes' by eight.
            getter_body = body(template, r"\n    (?! )[\w<>\[\], ]*\b" + getter + r"\([^)]*\)\s*\{", f"ECSTaskTemplate.{getter}")
            read_fields = sorted(f for f in fields if re.search(r"(?<![.\w])(?:this\.)?" + f + r"\b", getter_body))
            if not read_fields:
                fail(f"ECSTaskTemplate.{getter} reads no template field this script recognises")
            for field in read_fields:
                read.setdefault(field, set()).add(f"{where}: {getter}()")
    if "templateName" in read:
        # Read only for RunTask's tag, after the constructor blanked it (above).
        read["templateName"] = {w + ' (always "" under an override)' for w in read["templateName"]}

    # --- RunTask: the container, the command, the environment --------------------------------------------------
    first_container = "taskDefinition.getContainerDefinitions().get(0).getName()" in run_task
    named_container = "template.getAgentContainerName()" in run_task and "Could not find agent container name" in run_task
    if not (first_container and named_container):
        fail("ECSService.runEcsTask no longer targets agentContainerName, else the first container")
    variables = re.findall(r'\.setName\("([A-Z_]+)"\)', run_task)
    if not variables:
        fail("ECSService.runEcsTask sets no environment variable any more")
    override = re.search(r"new ContainerOverride\(\)(.*?)\)\)\)", run_task, re.S)
    if not override:
        fail("ECSService.runEcsTask builds no ContainerOverride")
    overridden = re.findall(r"\.with(\w+)\(", override.group(1))
    awsvpc = 'taskDefinition.getNetworkMode().equals("awsvpc")' in run_task

    command_body = body(launcher, r"Collection<String> getDockerRunCommand\(", "ECSLauncher.getDockerRunCommand")
    meaning = {
        '"-url"': "-url",
        "jenkinsUrl": "<the cloud's jenkinsUrl>",
        '"-tunnel"': "-tunnel",
        "tunnel": "<the cloud's tunnel>",
        "agent.getJnlpMac()": "<secret>",
        "agent.getName()": "<agent name>",
    }
    command = []
    tunnel_block = re.search(r"if \(StringUtils\.isNotBlank\(tunnel\)\) \{(.*?)\}", command_body, re.S)
    for match in re.finditer(r"command\.add\(([^;]*)\);", command_body):
        expression = match.group(1).strip()
        if expression not in meaning:
            fail(f"ECSLauncher.getDockerRunCommand adds {expression}, which this script does not know: review the contract")
        optional = tunnel_block is not None and tunnel_block.start(1) <= match.start() < tunnel_block.end(1)
        command.append({"argument": meaning[expression], **({"onlyWhen": "the cloud's tunnel is not blank"} if optional else {})})

    contract = {
        "provenance": {
            "repository": REPOSITORY,
            "tag": TAG,
            "commit": commit,
            "paths": [f"{PACKAGE}/{n}.java" for n in ("ECSTaskTemplate", "ECSService", "ECSLauncher", "ECSSlave", "ECSCloud")],
            "extractedBy": "tools/contracts/extract-amazon-ecs-runtime.py",
        },
        "templateKeys": keys,
        "underTaskDefinitionOverride": {
            "registerTemplate": "DescribeTaskDefinition of the override (family, family:revision or ARN); that definition is run as it is, nothing is registered",
            "templateNameBlanked": True,
            "keysRead": {k: sorted(v) for k, v in sorted(read.items())},
            "keysIgnored": [k for k in keys if k not in read],
        },
        "runTask": {
            "agentContainer": "agentContainerName when set (RunTask fails when the task definition has no such container), else the first container definition",
            "containerOverride": overridden,
            "command": command,
            "environment": variables,
            "awsvpcConfigurationWhen": "the task definition's networkMode is awsvpc: subnets and securityGroups (comma-separated, required) and assignPublicIp from the template" if awsvpc else None,
            "capacity": "capacityProviderStrategies when set (and defaultCapacityProvider false), else launchType (default EC2)",
        },
    }
    text = json.dumps(contract, indent=2) + "\n"
    if "--check" in sys.argv:
        with open(OUTPUT, encoding="utf-8") as committed:
            if committed.read() != text:
                fail(f"{os.path.relpath(OUTPUT, ROOT)} differs from the source at {TAG}: run tools/contracts/regenerate.sh")
        return
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"{os.path.relpath(OUTPUT, ROOT)} from {REPOSITORY} {TAG}")


if __name__ == "__main__":
    main()
