#!/usr/bin/env python3
"""Extracts contracts/jenkins-quiet-down.json from jenkinsci/jenkins at the core version the master image pins.

What it records: the endpoints a Deploy drains the master through before a restart, and the fields it reads.
- POST /quietDown (Jenkins.doQuietDown): its query parameters, the permission it checks, what it answers, and that it
  only sets a flag: running builds go on, new ones wait in the queue.
- POST /cancelQuietDown (Jenkins.doCancelQuietDown): the permission, the answer, the queue's maintenance it schedules.
- GET /api/json: the exported names of isQuietingDown and getQuietDownReason.
- GET /computer/api/json: the exported names that lead to the running builds: ComputerSet's computers, each
  Computer's executors and one-off executors (Pipeline runs sit on one-off, flyweight executors of the built-in node),
  each Executor's current executable (null without Item.READ), and a Run's url and fullDisplayName.
- The crumb: CrumbFilter answers 403 to a POST without a valid crumb.
- The queue that waited: GET /queue/api/json's exported names (Queue's items, each item's id, why and task, a job's
  name, url and nextBuildNumber; a job's lastBuild and its number), the reason a queued build gives while Jenkins
  quiets down (Messages.properties' Queue.HudsonIsAboutToShutDown, which BuildableItem.getCauseOfBlockage gives), and
  that the queue outlives the master: Jenkins.cleanUp saves it into the home, and Queue.init loads it at start.

Read from the source, not typed in: each fact is matched in the method's text; a method that no longer has the
expected shape fails the extraction, naming what was not found: review the method then, and the stand-in that follows
this contract (tests/Build.Tests/Smoke/JenkinsApiStandIn.cs).

Usage: extract-jenkins-quiet-down.py REPOSITORY_ROOT OUTPUT_DIRECTORY
Sources: $CONTRACTS_MIRROR/jenkinsci+jenkins/repo (see javasource.mirror_root), a bare clone.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from javasource import ContractError, Repository, method_with_body as method_body, require  # noqa: E402
from pins import core_pin  # noqa: E402

JENKINS = "core/src/main/java/jenkins/model/Jenkins.java"
COMPUTER_SET = "core/src/main/java/hudson/model/ComputerSet.java"
COMPUTER = "core/src/main/java/hudson/model/Computer.java"
EXECUTOR = "core/src/main/java/hudson/model/Executor.java"
RUN = "core/src/main/java/hudson/model/Run.java"
CRUMB_FILTER = "core/src/main/java/hudson/security/csrf/CrumbFilter.java"
QUEUE = "core/src/main/java/hudson/model/Queue.java"
JOB = "core/src/main/java/hudson/model/Job.java"
ABSTRACT_ITEM = "core/src/main/java/hudson/model/AbstractItem.java"
MESSAGES = "core/src/main/resources/hudson/model/Messages.properties"


def _exported(text, member, what, default, path):
    """The JSON name Stapler's export gives a public member: @Exported(name = X) when given, else the default."""
    text = re.sub(r"//[^\n]*", "", text)
    match = re.search(r"@Exported(\([^)]*\))?\s*(?:@[\w.]+(?:\([^)]*\))?\s*)*public\s+(?:final\s+)?(?:@\w+\s+)?[\w.<>?, \[\]]+?\s+" + member, text)
    if not match:
        raise ContractError(f"{path}: no @Exported public {what}; review the contract and the stand-in")
    named = re.search(r'name\s*=\s*"([^"]+)"', match.group(1) or "")
    return named.group(1) if named else default


def exported_name(text, getter, path):
    """The name of a getter's property: getX and isX give x."""
    prop = re.sub(r"^(get|is)", "", getter)
    return _exported(text, getter + r"\s*\(\s*\)", f"{getter}()", prop[0].lower() + prop[1:], path)


def exported_field(text, field, path):
    """The name of a public field: the field's own."""
    return _exported(text, field + r"\s*;", f"field {field}", field, path)


def queue_that_waited(core):
    queue = core.show(QUEUE)
    job = core.show(JOB)
    item = core.show(ABSTRACT_ITEM)
    run = core.show(RUN)
    jenkins = core.show(JENKINS)
    messages = core.show(MESSAGES)
    _, blockage = method_body(queue, r"@Override\s+public\s+CauseOfBlockage\s+getCauseOfBlockage\s*\(\s*\)\s*(?=\{\s*Jenkins\s+jenkins)", QUEUE)
    key = require(r"if\s*\(isBlockedByShutdown\(task\)\)\s*return\s+CauseOfBlockage\.fromMessage\(Messages\._(\w+)\(\)\)", blockage, "the quiet-down's cause of blockage", QUEUE).group(1)
    message = require(r"(?m)^" + re.escape(key.replace("_", ".", 1)) + r"=(.+)$", messages, f"the message {key}", MESSAGES).group(1).strip()
    _, blocked = method_body(queue, r"public\s+static\s+boolean\s+isBlockedByShutdown\s*\(\s*Task\s+task\s*\)", QUEUE)
    require(r"Jenkins\.get\(\)\.isQuietingDown\(\)", blocked, "the quiet-down check", QUEUE)
    _, clean_up = method_body(jenkins, r"private\s+void\s+_cleanUpPersistQueue\s*\(\s*List<Throwable>\s+errors\s*\)", JENKINS)
    require(r"getQueue\(\)\.save\(\)", clean_up, "the queue saved at shutdown", JENKINS)
    require(r"_cleanUpPersistQueue\(errors\)", jenkins, "the save in cleanUp", JENKINS)
    _, init = method_body(queue, r"@Initializer\(after\s*=\s*JOB_CONFIG_ADAPTED\)\s*public\s+static\s+void\s+init\s*\(\s*Jenkins\s+h\s*\)", QUEUE)
    require(r"queue\.load\(\)", init, "the queue loaded at start", QUEUE)
    require(r'return\s+new\s+File\(Jenkins\.get\(\)\.getRootDir\(\),\s*"queue\.xml"\)', queue, "the queue's file in the home", QUEUE)
    require(r"protected\s+Run\s*\(\s*@NonNull\s+JobT\s+job\s*\)[^{]*\{[^}]*this\.number\s*=\s*project\.assignBuildNumber\(\)", run, "the number a new build takes from its job", RUN)
    names = {
        "items": exported_name(queue, "getItems", QUEUE),
        "id": exported_name(queue, "getId", QUEUE),
        "why": exported_name(queue, "getWhy", QUEUE),
        "task": exported_field(queue, "task", QUEUE),
        "name": exported_name(item, "getName", ABSTRACT_ITEM),
        "url": exported_name(item, "getAbsoluteUrl", ABSTRACT_ITEM),
        "nextBuildNumber": exported_name(job, "getNextBuildNumber", JOB),
        "lastBuild": exported_name(job, "getLastBuild", JOB),
        "number": exported_name(run, "getNumber", RUN),
    }
    return {
        "sources": [core.provenance(p) for p in (QUEUE, JOB, ABSTRACT_ITEM, RUN, JENKINS, MESSAGES)],
        "request": f"GET <root>/queue/api/json?tree={names['items']}[{names['id']},{names['why']},{names['task']}[{names['name']},{names['url']},{names['nextBuildNumber']}]]",
        "jobRequest": f"GET <job url>api/json?tree={names['lastBuild']}[{names['number']}]",
        "fields": names,
        "whyWhileQuietingDown": message,
        "persisted": "Jenkins.cleanUp saves the queue (_cleanUpPersistQueue: Queue.save, <home>/queue.xml) and Queue.init (@Initializer after JOB_CONFIG_ADAPTED) loads it at start: the builds that waited outlive the master when its home does",
        "started": "a queued build of a job gets the job's next build number as it starts (Run's constructor: project.assignBuildNumber()), so it has started once the job's lastBuild number reaches the nextBuildNumber read while it waited",
    }


def quiet_down(core):
    text = core.show(JENKINS)
    declaration, body = method_body(
        text,
        r"@RequirePOST\s+public\s+HttpRedirect\s+doQuietDown\s*\(\s*@QueryParameter\s+boolean\s+block\s*,\s*@QueryParameter\s+int\s+timeout\s*,"
        r"\s*@QueryParameter\s+@CheckForNull\s+String\s+message\s*,\s*@QueryParameter\s+boolean\s+safeRestart\s*\)[^{]*",
        JENKINS)
    parameters = re.findall(r"@QueryParameter\s+(?:@\w+\s+)?(\w+)\s+(\w+)", declaration)
    permission = require(r"checkPermission\((\w+)\)", body, "the permission check", JENKINS).group(1)
    require(r"quietDownInfo\s*=\s*new\s+QuietDownInfo\(message,\s*safeRestart\)", body, "the flag set with the message", JENKINS)
    require(r"if\s*\(block\)", body, "the wait only when block is true", JENKINS)
    require(r"RestartListener\.isAllReady\(\)", body, "the wait's end (RestartListener.isAllReady)", JENKINS)
    answer = require(r'return\s+new\s+HttpRedirect\("([^"]*)"\)', body, "the redirect answer", JENKINS).group(1)
    _, cancel = method_body(text, r"@RequirePOST\s+public\s+synchronized\s+HttpRedirect\s+doCancelQuietDown\s*\(\s*\)", JENKINS)
    cancel_permission = require(r"checkPermission\((\w+)\)", cancel, "the permission check", JENKINS).group(1)
    require(r"quietDownInfo\s*=\s*null", cancel, "the flag cleared", JENKINS)
    require(r"getQueue\(\)\.scheduleMaintenance\(\)", cancel, "the queue's maintenance", JENKINS)
    cancel_answer = require(r'return\s+new\s+HttpRedirect\("([^"]*)"\)', cancel, "the redirect answer", JENKINS).group(1)
    return {
        "quietDown": {
            "method": "jenkins.model.Jenkins.doQuietDown(boolean, int, String, boolean)",
            "source": core.provenance(JENKINS),
            "request": "POST <root>/quietDown",
            "queryParameters": [{"name": name, "type": kind} for kind, name in parameters],
            "permission": f"Jenkins.{permission}",
            "answer": f'a redirect (302) to "{answer}"',
            "effect": "sets the quiet-down flag with the message; it stops no build: running builds go on, new ones wait in the queue",
            "block": "with block=true the request itself waits (1 s steps) until no build runs or timeout ms pass; without it, it answers at once",
        },
        "cancelQuietDown": {
            "method": "jenkins.model.Jenkins.doCancelQuietDown()",
            "source": core.provenance(JENKINS),
            "request": "POST <root>/cancelQuietDown",
            "permission": f"Jenkins.{cancel_permission}",
            "answer": f'a redirect (302) to "{cancel_answer}"',
            "effect": "clears the flag and schedules the queue's maintenance, so the builds that waited start",
        },
        "state": {
            "source": core.provenance(JENKINS),
            "request": "GET <root>/api/json",
            "quietingDown": exported_name(text, "isQuietingDown", JENKINS),
            "reason": exported_name(text, "getQuietDownReason", JENKINS),
            "restart": "the flag lives in memory only (a transient field): a new master starts without it",
        },
    }


def running_builds(core):
    computer_set = core.show(COMPUTER_SET)
    computer = core.show(COMPUTER)
    executor = core.show(EXECUTOR)
    run = core.show(RUN)
    _, current = method_body(executor, r"public\s+Queue\.Executable\s+getCurrentExecutableForApi\s*\(\s*\)", EXECUTOR)
    require(r"hasPermission\(Item\.READ\)", current, "the Item.READ check", EXECUTOR)
    require(r"public\s+List<OneOffExecutor>\s+getOneOffExecutors\s*\(\s*\)", computer, "getOneOffExecutors", COMPUTER)
    names = {
        "computers": exported_name(computer_set, "getComputers", COMPUTER_SET),
        "displayName": exported_name(computer, "getDisplayName", COMPUTER),
        "executors": exported_name(computer, "getExecutors", COMPUTER),
        "oneOffExecutors": exported_name(computer, "getOneOffExecutors", COMPUTER),
        "currentExecutable": exported_name(executor, "getCurrentExecutableForApi", EXECUTOR),
        "url": exported_name(run, "getAbsoluteUrl", RUN),
        "fullDisplayName": exported_name(run, "getFullDisplayName", RUN),
    }
    tree = f"{names['computers']}[{names['displayName']},{names['executors']}[{names['currentExecutable']}[{names['url']},{names['fullDisplayName']}]],{names['oneOffExecutors']}[{names['currentExecutable']}[{names['url']},{names['fullDisplayName']}]]]"
    return {
        "sources": [core.provenance(p) for p in (COMPUTER_SET, COMPUTER, EXECUTOR, RUN)],
        "request": "GET <root>/computer/api/json?tree=" + tree,
        "fields": names,
        "currentExecutable": "null when the executor is idle, or when the caller lacks Item.READ on it (Executor.getCurrentExecutableForApi)",
        "oneOffExecutors": "Pipeline runs hold a one-off (flyweight) executor of the built-in node while they run; their node blocks take the agents' executors",
    }


def crumb(core):
    text = core.show(CRUMB_FILTER)
    require(r'"POST"\.equals\(httpRequest\.getMethod\(\)\)', text, "the POST-only check", CRUMB_FILTER)
    status = require(r'sendError\(HttpServletResponse\.SC_(\w+),\s*"([^"]+)"\)', text, "the refusal", CRUMB_FILTER)
    return {
        "source": core.provenance(CRUMB_FILTER),
        "request": "GET <root>/crumbIssuer/api/json gives crumbRequestField and crumb, bound to the session (keep its cookie)",
        "refusal": {"status": {"FORBIDDEN": 403}[status.group(1)], "message": status.group(2)},
        "applies": "to every POST without a valid crumb, unless a CrumbExclusion takes the request; a request with a password is refused without one",
    }


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-jenkins-quiet-down.py REPOSITORY_ROOT OUTPUT_DIRECTORY")
    repo_root, output = sys.argv[1], sys.argv[2]
    try:
        version = core_pin(repo_root)
        core = Repository("jenkinsci/jenkins", f"jenkins-{version}", ["core/src/main/java"])
        contract = {
            "generatedBy": "tools/contracts/extract-jenkins-quiet-down.py",
            "consumer": "Jenkins core (jenkins/jenkins image's jenkins.war): draining the master before a restart",
            "pin": {"file": "images/jenkins-master/Dockerfile", "core": version},
            **quiet_down(core),
            "runningBuilds": running_builds(core),
            "crumb": crumb(core),
            "queue": queue_that_waited(core),
        }
    except ContractError as e:
        sys.exit(f"extract-jenkins-quiet-down: {e}")
    with open(os.path.join(output, "jenkins-quiet-down.json"), "w", encoding="utf-8") as f:
        json.dump(contract, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
