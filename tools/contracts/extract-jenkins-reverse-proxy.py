#!/usr/bin/env python3
"""Extracts contracts/jenkins-reverse-proxy.json from jenkinsci/jenkins at the core version the master image pins.

What it records: how core infers its own URL from a request (Jenkins.getRootUrlFromRequest: which headers, in
which order, with which fallbacks, and how a list value is read), what the reverse-proxy monitor compares
(ReverseProxySetupMonitor.getTestForReverseProxySetup: the inferred URL + "manage" against the referer the test
carried, and its answer when they differ), and the WebSocket ping interval (WebSocketSession.PING_INTERVAL), which
every idle timeout on the agents' path must exceed.

Read from the source, not typed in: each fact is matched in the method's text; a method that no longer has the
expected shape fails the extraction, naming what was not found: review the method then, and the stand-ins that
follow this contract (tests/Build.Tests/Smoke/JenkinsApiStandIn.cs).

Usage: extract-jenkins-reverse-proxy.py REPOSITORY_ROOT OUTPUT_DIRECTORY
Sources: $CONTRACTS_MIRROR/jenkinsci+jenkins/repo (see javasource.mirror_root), a bare clone.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from javasource import ContractError, Repository, method_with_body, require  # noqa: E402
from pins import core_pin  # noqa: E402

JENKINS = "core/src/main/java/jenkins/model/Jenkins.java"
MONITOR = "core/src/main/java/hudson/diagnosis/ReverseProxySetupMonitor.java"
WEBSOCKET = "core/src/main/java/jenkins/websocket/WebSocketSession.java"


def root_url(core):
    text = core.show(JENKINS)
    body = method_with_body(text, r"public\s+@NonNull\s+String\s+getRootUrlFromRequest\s*\(\s*\)", JENKINS)[1]
    calls = re.findall(r'getXForwardedHeader\(\s*req\s*,\s*"([^"]+)"\s*,\s*([^)]*\)?)\s*\)', body)
    if [header for header, _ in calls] != ["X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port"]:
        raise ContractError(f"{JENKINS}: getRootUrlFromRequest reads {[h for h, _ in calls]}, not X-Forwarded-Proto, -Host, -Port in that order; review the contract and the stand-in")
    fallbacks = {"req.getScheme()": "the request's own scheme", "req.getServerName()": "the request's server name (the Host header's name)", "null": "none: the port found so far stays"}
    headers = []
    for header, fallback in calls:
        fallback = fallback.strip()
        if fallback not in fallbacks:
            raise ContractError(f"{JENKINS}: {header} falls back to {fallback}, which this extractor does not know")
        headers.append({"header": header, "fallback": fallbacks[fallback], "fallbackExpression": fallback})
    require(r"int\s+port\s*=\s*req\.getServerPort\(\)", body, "the port's start value req.getServerPort()", JENKINS)
    require(r"host\.lastIndexOf\(':'\)", body, "the host:port split of X-Forwarded-Host", JENKINS)
    require(r'port\s*!=\s*\("https"\.equals\(scheme\)\s*\?\s*443\s*:\s*80\)', body, "the default port omission", JENKINS)
    helper = method_with_body(text, r"private\s+static\s+String\s+getXForwardedHeader\s*\(", JENKINS)[1]
    require(r"req\.getHeader\(header\)", helper, "the first header instance (req.getHeader)", JENKINS)
    require(r"value\.indexOf\(','\)", helper, "the first item of a comma-separated value", JENKINS)
    return {
        "method": "jenkins.model.Jenkins.getRootUrlFromRequest",
        "source": core.provenance(JENKINS),
        "order": headers,
        "value": "the first instance of the header (getHeader), and of a comma-separated value its first item, trimmed",
        "host": "X-Forwarded-Host may carry host:port (as NGINX's $host:$server_port); the port part then replaces the port",
        "port": "starts as the request's server port (the Host header's port, else the connection's scheme default); X-Forwarded-Port, when a number, wins",
        "defaultPortOmitted": "the port is written only when it is not 443 for https or 80 for anything else",
        "form": "<scheme>://<host>[:<port>]<context path>/",
    }


def reverse_proxy_test(core):
    text = core.show(MONITOR)
    test = method_with_body(text, r"public\s+void\s+getTestForReverseProxySetup\s*\(\s*String\s+rest\s*\)", MONITOR)[1]
    require(r'getRootUrlFromRequest\(\)\s*\+\s*"manage"', test, 'the inferred URL + "manage"', MONITOR)
    require(r"rest\.startsWith\(inferred\)", test, "the comparison rest.startsWith(inferred)", MONITOR)
    require(r"HttpResponses\.ok\(\)", test, "the 200 answer", MONITOR)
    failure = require(r'errorWithoutStack\(\s*(\d+)\s*,\s*inferred\s*\+\s*"([^"]+)"\s*\+\s*rest\s*\)', test, "the failure answer", MONITOR)
    redirect = method_with_body(text, r"public\s+HttpResponse\s+doTest\s*\(", MONITOR)[1]
    require(r'getRootUrl\(\)\s*\+\s*"administrativeMonitor/"\s*\+\s*id\s*\+\s*"/testForReverseProxySetup/"', redirect, "the redirect to getRootUrl() + administrativeMonitor/ID/testForReverseProxySetup/", MONITOR)
    require(r'Util\.rawEncode\(referer\)\s*:\s*"NO-REFERER"', redirect, "the referer in the redirect", MONITOR)
    return {
        "monitor": "hudson.diagnosis.ReverseProxySetupMonitor",
        "source": core.provenance(MONITOR),
        "test": "POST administrativeMonitor/hudson.diagnosis.ReverseProxySetupMonitor/test redirects to getRootUrl() + administrativeMonitor/hudson.diagnosis.ReverseProxySetupMonitor/testForReverseProxySetup/ + rawEncode(Referer, or NO-REFERER) + /",
        "inferred": "getRootUrlFromRequest() + \"manage\", on the redirected request",
        "comparison": "startsWith",
        "compares": "the referer carried in the path (the page's URL) starts with the inferred URL",
        "passStatus": 200,
        "failStatus": int(failure.group(1)),
        "failBody": "<inferred>" + failure.group(2) + "<referer>",
    }


def websocket_ping(core):
    text = core.show(WEBSOCKET)
    match = require(r'PING_INTERVAL\s*=\s*SystemProperties\.getDuration\(\s*"([^"]+)"\s*,\s*ChronoUnit\.SECONDS\s*,\s*Duration\.ofSeconds\((\d+)\)\s*\)', text, "PING_INTERVAL", WEBSOCKET)
    require(r"scheduleAtFixedRate\(", text, "the fixed-rate ping", WEBSOCKET)
    return {
        "source": core.provenance(WEBSOCKET),
        "systemProperty": match.group(1),
        "defaultSeconds": int(match.group(2)),
        "meaning": "the master pings every WebSocket (agents, CLI) at this interval, so a connection is never silent longer; every idle timeout on the path must exceed it",
    }


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-jenkins-reverse-proxy.py REPOSITORY_ROOT OUTPUT_DIRECTORY")
    repo_root, output = sys.argv[1], sys.argv[2]
    try:
        version = core_pin(repo_root)
        core = Repository("jenkinsci/jenkins", f"jenkins-{version}", ["core/src/main/java"])
        contract = {
            "generatedBy": "tools/contracts/extract-jenkins-reverse-proxy.py",
            "consumer": "Jenkins core (jenkins/jenkins image's jenkins.war): its URL behind a reverse proxy",
            "pin": {"file": "images/jenkins-master/Dockerfile", "core": version},
            "rootUrlFromRequest": root_url(core),
            "reverseProxyTest": reverse_proxy_test(core),
            "webSocketPing": websocket_ping(core),
        }
    except ContractError as e:
        sys.exit(f"extract-jenkins-reverse-proxy: {e}")
    with open(os.path.join(output, "jenkins-reverse-proxy.json"), "w", encoding="utf-8") as f:
        json.dump(contract, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
