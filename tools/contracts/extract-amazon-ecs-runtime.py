#!/usr/bin/env python3
"""Extracts contracts/amazon-ecs-runtime.json from the amazon-ecs plugin's source at the pinned tag.

What it records: which agent-template keys the plugin still reads when a template sets taskDefinitionOverride
(the task definition is then run as it is), what the plugin hands the agent container at RunTask (the
container it targets, the command override, the environment variables it adds), how it counts maxAgents
("provisioning"), and which AWS calls it makes at run time under an override, only for other templates, or only
from configuration pages ("awsCalls"), with the IAM actions they need.

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


def methods(text):
    """Every method of a class as {name: body} (the first overload wins; bodies include nested classes' methods)."""
    found = {}
    for match in re.finditer(r"\n\s+(?:public |protected |private |static |final |synchronized )*[\w<>\[\], .]+?\s(\w+)\([^;{)]*\)\s*(?:throws [\w., ]+)?\{", text):
        name = match.group(1)
        if name in ("if", "for", "while", "switch", "catch", "synchronized") or name in found:
            continue
        found[name] = body(text[match.start():], re.escape(name) + r"\(", name)
    return found


def client_calls(text):
    """The AWS SDK client calls in a body, as API operation names (describeTasks -> DescribeTasks)."""
    calls = {c[0].upper() + c[1:] for c in re.findall(r"\bclient\.([a-z]\w*)\(", text)}
    if "new AmazonECSWaiters(client).tasksRunning()" in text:
        # The SDK's tasksRunning waiter polls DescribeTasks.
        calls.add("DescribeTasks")
    return calls


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

    # --- provisioning: how maxAgents is counted -------------------------------------------------------------------
    strategy = source("ECSProvisioningStrategy")
    apply_body = body(strategy, r"public NodeProvisioner\.StrategyDecision apply\(", "ECSProvisioningStrategy.apply")
    if "state.getLabel()" not in apply_body or "state.getSnapshot()" not in apply_body:
        fail("ECSProvisioningStrategy.apply no longer decides on one label's snapshot: review the contract")
    if "getProvisioningCapacity(excessWorkload, snap.getOnlineExecutors(), snap.getConnectingExecutors())" not in apply_body:
        fail("ECSProvisioningStrategy.apply no longer bounds by the label's online and connecting executors")
    capacity_body = body(cloud, r"public int getProvisioningCapacity\(", "ECSCloud.getProvisioningCapacity")
    if not re.search(r"if \(maxAgents == 0\)\s*\{\s*return excessWorkload;", capacity_body):
        fail("ECSCloud.getProvisioningCapacity no longer treats maxAgents 0 as no limit")
    if "maxAgents - (onlineExecutors + connectingExecutors)" not in capacity_body:
        fail("ECSCloud.getProvisioningCapacity no longer subtracts the label's executors from maxAgents")
    if "numExecutors" not in provision:
        fail("ECSCloud.provision no longer gives each planned node the cloud's numExecutors")
    limits = [k for k in keys if re.search(r"max|instancecap|agentlimit|^limit", k, re.I)]
    if limits:
        fail(f"ECSTaskTemplate now has {limits}: a limit per template? review the contract and the capacity check")

    # --- the AWS calls, and where each comes from -----------------------------------------------------------------
    service_methods = methods(service)
    override_return = register[:early.end()]
    if "registerTaskDefinition" in override_return or "findTaskDefinition(" not in override_return:
        fail("ECSService.registerTemplate's override branch changed: review the contract")
    remove = service_methods.get("removeTemplate") or fail("ECSService.removeTemplate not found")
    remove_early = re.search(r"if \(template\.getTaskDefinitionOverride\(\) != null\)\s*\{\s*return;\s*\}", remove)
    if not remove_early:
        fail("ECSService.removeTemplate no longer returns first under an override")

    def service_closure(name, seen=None):
        """The client calls of an ECSService method and of the ECSService methods it calls."""
        seen = seen if seen is not None else set()
        if name in seen or name not in service_methods:
            return set()
        seen.add(name)
        text = override_return if name == "registerTemplate" else remove[:remove_early.end()] if name == "removeTemplate" else service_methods[name]
        calls = client_calls(text)
        for callee in re.findall(r"(?<![.\w])(\w+)\(", text):
            if callee in service_methods and callee != name:
                calls |= service_closure(callee, seen)
        return calls

    run_time = {}
    for where, text in (("ECSLauncher", launcher), ("ECSSlave", slave)):
        for method in sorted(set(re.findall(r"(?:ecsService|getEcsService\(\))\.(\w+)\(", text))):
            for call in service_closure(method):
                run_time.setdefault(call, set()).add(f"{where} -> ECSService.{method}")
    if not run_time:
        fail("no ECSService call found from ECSLauncher or ECSSlave")
    other_templates = client_calls(register[early.end():]) | {c for m in ("getTaskDefinitionTags",) for c in client_calls(service_methods.get(m, ""))} \
        | client_calls(remove[remove_early.end():])
    configuration_pages = {}
    efs = git("show", f"{TAG}:{PACKAGE}/aws/EFSService.java")
    efs_methods = methods(efs)
    for where, text in (("ECSCloud", cloud), ("ECSTaskTemplate", template)):
        # Configuration-page drop-downs: the descriptors' doFill*Items methods (parameters may carry annotations).
        for match in re.finditer(r"public ListBoxModel (doFill\w+)\(", text):
            name = match.group(1)
            method_body = body(text[match.start():], r"doFill\w+\(", name)
            calls = client_calls(method_body)
            for efs_method in re.findall(r"efsService\.(\w+)\(", method_body):
                calls |= {"elasticfilesystem:" + c for c in client_calls(efs_methods.get(efs_method, ""))}
            for call in calls:
                configuration_pages.setdefault(call if ":" in call else "ecs:" + call, set()).add(f"{where}.{name}")
    tags_at_run_task = ".withTags(" in run_task and '.withPropagateTags("TASK_DEFINITION")' in run_task

    contract = {
        "provenance": {
            "repository": REPOSITORY,
            "tag": TAG,
            "commit": commit,
            "paths": [f"{PACKAGE}/{n}.java" for n in ("ECSTaskTemplate", "ECSService", "ECSLauncher", "ECSSlave", "ECSCloud", "ECSProvisioningStrategy", "aws/EFSService")],
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
        "provisioning": {
            "maxAgentsCountedPer": "label",
            "how": "ECSProvisioningStrategy.apply decides for one label at a time, on that label's load statistics; ECSCloud.getProvisioningCapacity starts at most maxAgents - (the label's online + connecting executors) agents",
            "zeroMeans": "no limit",
            "limitPerTemplate": False,
            "executorsPerAgent": "the cloud's numExecutors",
        },
        "awsCalls": {
            "runTimeUnderOverride": {f"ecs:{k}": sorted(v) for k, v in sorted(run_time.items())},
            "alsoRequiredAtRunTask": {
                **({"ecs:TagResource": "RunTask sends tags (withTags, propagateTags TASK_DEFINITION); AWS authorizes tags on create with ecs:TagResource (Amazon ECS developer guide, Grant permission to tag resources on creation)"} if tags_at_run_task else {}),
                "iam:PassRole": "RunTask of a task definition that names a taskRoleArn or executionRoleArn needs iam:PassRole on those roles (Amazon ECS developer guide, Task IAM role; Task execution IAM role)",
            },
            "onlyForTemplatesWithoutOverride": sorted(f"ecs:{c}" for c in other_templates),
            "onlyFromConfigurationPages": {k: sorted(v) for k, v in sorted(configuration_pages.items())},
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
