"""A loopback front for moto's CloudFormation with an AWS latency model (tools/benchmark.sh --latency-model).

moto creates a stack within its ExecuteChangeSet call and a change set within CreateChangeSet. AWS takes
minutes. This front passes every request on to moto unchanged and rewrites only two answers:

- DescribeChangeSet answers Status CREATE_IN_PROGRESS (ExecutionStatus UNAVAILABLE) until the modelled change
  set time has passed since its CreateChangeSet;
- DescribeStacks of a stack answers CREATE_IN_PROGRESS (UPDATE_IN_PROGRESS) until the stack's modelled time
  has passed since its ExecuteChangeSet.

A stack's modelled time is the longest chain of its resources through their Ref/GetAtt/Sub/DependsOn references
(CloudFormation creates independent resources in parallel), each resource taking its type's time from
resource-durations.json, times --scale. The resources counted are those moto created (DescribeStackResources),
plus those of the template that have no Condition (moto's CloudFormation skips some types, e.g. alarms).

Every CreateChangeSet, ExecuteChangeSet and first complete DescribeStacks per stack is appended to --record as
a JSON line {"stack", "event", "t"} (t: time.time()), from which the benchmark reads each stack's start and end.
Usage: latency-front.py --moto URL --port PORT --durations FILE --scale S --record FILE
"""
import argparse
import http.client
import http.server
import json
import re
import threading
import time
import urllib.parse

import yaml


class _Tagged(yaml.SafeLoader):
    """Reads CloudFormation's short forms (!Ref X, !GetAtt X.Y, !Sub ...) as their long forms."""


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Tagged.add_multi_constructor("!", _tag)


def references(value, names):
    """The logical IDs among names that value refers to."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str) and inner in names:
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                if target in names:
                    found.add(target)
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                found.update(n.split(".")[0] for n in re.findall(r"\$\{([^}!]+)\}", str(text)) if n.split(".")[0] in names)
                if isinstance(inner, list) and len(inner) > 1:
                    found |= references(inner[1], names)
            else:
                found |= references(inner, names)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner, names)
    return found


def modelled_seconds(template_body, created, durations):
    """The longest chain of resources, each its type's time; created: moto's logical IDs of the stack."""
    template = yaml.load(template_body, Loader=_Tagged) or {}
    resources = {
        name: spec for name, spec in (template.get("Resources") or {}).items()
        if name in created or "Condition" not in spec
    }
    names = set(resources)
    needs = {}
    for name, spec in resources.items():
        depends = spec.get("DependsOn") or []
        depends = [depends] if isinstance(depends, str) else depends
        needs[name] = (references(spec.get("Properties") or {}, names) | {d for d in depends if d in names}) - {name}
    finish = {}

    def end(name, path=()):
        if name not in finish:
            if name in path:  # a cycle CloudFormation would refuse; count the resource once
                return 0
            start = max((end(n, path + (name,)) for n in needs[name]), default=0)
            own = durations["types"].get(resources[name].get("Type"), durations["default"])["seconds"]
            finish[name] = start + own
        return finish[name]

    return max((end(n) for n in resources), default=0)


class Front:
    def __init__(self, moto, durations, scale, record):
        self.moto = urllib.parse.urlsplit(moto)
        self.durations = durations
        self.scale = scale
        self.record = open(record, "a", buffering=1)
        self.lock = threading.Lock()
        self.templates = {}         # stack -> template body of its latest change set
        self.change_set_ready = {}  # change set name -> time it is modelled complete
        self.stack_ready = {}       # stack -> time it is modelled complete
        self.completed = set()

    def log(self, stack, event):
        with self.lock:
            self.record.write(json.dumps({"stack": stack, "event": event, "t": time.time()}) + "\n")

    def moto_call(self, method, path, body, headers):
        connection = http.client.HTTPConnection(self.moto.hostname, self.moto.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type") or "text/xml", response.read()
        finally:
            connection.close()

    def created_resources(self, stack, headers):
        form = urllib.parse.urlencode({"Action": "DescribeStackResources", "Version": "2010-05-15", "StackName": stack})
        _, _, answer = self.moto_call("POST", "/", form.encode(), {k: v for k, v in headers.items() if k.lower() == "authorization"} | {"Content-Type": "application/x-www-form-urlencoded"})
        return set(re.findall(r"<LogicalResourceId>([^<]+)</LogicalResourceId>", answer.decode()))

    def handle(self, method, path, body, headers):
        form = {}
        if "x-www-form-urlencoded" in headers.get("Content-Type", "") and body:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action, stack = form.get("Action"), form.get("StackName")
        if action == "CreateChangeSet" and stack:
            self.log(stack, "create_change_set")
            self.templates[stack] = form.get("TemplateBody", "")
        status, content_type, answer = self.moto_call(method, path, body, headers)
        now = time.time()
        if action == "CreateChangeSet" and stack and status == 200:
            seconds = self.durations["changeSet"]["seconds"] * self.scale
            self.change_set_ready[form.get("ChangeSetName")] = now + seconds
            arn = re.search(rb"<Id>([^<]+)</Id>", answer)
            if arn:
                self.change_set_ready[arn.group(1).decode()] = now + seconds
        elif action == "ExecuteChangeSet" and stack and status == 200:
            seconds = modelled_seconds(self.templates.get(stack, ""), self.created_resources(stack, headers), self.durations) * self.scale
            self.stack_ready[stack] = now + seconds
            self.completed.discard(stack)
            self.log(stack, "execute_change_set")
        elif action == "DescribeChangeSet" and status == 200:
            ready = self.change_set_ready.get(form.get("ChangeSetName"))
            if ready and now < ready:
                answer = answer.replace(b"<Status>CREATE_COMPLETE</Status>", b"<Status>CREATE_IN_PROGRESS</Status>")
                answer = answer.replace(b"<ExecutionStatus>AVAILABLE</ExecutionStatus>", b"<ExecutionStatus>UNAVAILABLE</ExecutionStatus>")
        elif action == "DescribeStacks" and stack in self.stack_ready and status == 200:
            if now < self.stack_ready[stack]:
                answer = re.sub(rb"<StackStatus>(CREATE|UPDATE)_COMPLETE</StackStatus>", rb"<StackStatus>\1_IN_PROGRESS</StackStatus>", answer)
            elif stack not in self.completed and re.search(rb"<StackStatus>(CREATE|UPDATE)_COMPLETE</StackStatus>", answer):
                self.completed.add(stack)
                self.log(stack, "complete")
        return status, content_type, answer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--moto", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--durations", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--record", required=True)
    options = parser.parse_args()
    front = Front(options.moto, json.load(open(options.durations)), options.scale, options.record)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            status, content_type, answer = front.handle(self.command, self.path, body, headers)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
