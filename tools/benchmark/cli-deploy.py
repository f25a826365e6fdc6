"""The same stacks deployed the way a hand-written pipeline would: `aws cloudformation deploy`, one stack after
another in cfn/stacks.json's order, each stack's parameters from the environment file's "parameters" and the
earlier stacks' outputs of the same name (the build's wiring), through the given endpoint (the latency front).
Prints one JSON object: every stack's start and end (time.time()) and the total.
Usage: cli-deploy.py ENDPOINT REGION ENVIRONMENT_NAME ENVIRONMENT_FILE
"""
import json
import os
import subprocess
import sys
import time

import yaml


class _Tagged(yaml.SafeLoader):
    """Reads a template with its short-form tags (!Ref ...) ignored: only the parameter names are needed."""


_Tagged.add_multi_constructor("!", lambda loader, suffix, node: None)


def main():
    endpoint, region, environment, environment_file = sys.argv[1:5]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    given = json.load(open(os.path.join(root, environment_file))).get("parameters", {})
    outputs, stacks = {}, []
    started = time.time()
    for stack in json.load(open(os.path.join(root, "cfn", "stacks.json"))):
        path = os.path.join(root, "cfn", stack["template"])
        declared = (yaml.load(open(path), Loader=_Tagged) or {}).get("Parameters") or {}
        overrides = [f"EnvironmentName={environment}"]
        for name in declared:
            if name in given:
                overrides.append(f"{name}={given[name]}")
            elif name in outputs:
                overrides.append(f"{name}={outputs[name]}")
        name = f"{environment}-jenkins-{stack['name']}"
        aws = ["aws", "--endpoint-url", endpoint, "--region", region, "cloudformation"]
        start = time.time()
        subprocess.run(aws + ["deploy", "--stack-name", name, "--template-file", path, "--capabilities", "CAPABILITY_NAMED_IAM",
                              "--no-fail-on-empty-changeset", "--parameter-overrides", *overrides], check=True, stdout=subprocess.DEVNULL)
        end = time.time()
        described = json.loads(subprocess.run(aws + ["describe-stacks", "--stack-name", name, "--output", "json"], check=True, capture_output=True, text=True).stdout)
        for output in described["Stacks"][0].get("Outputs", []):
            outputs[output["OutputKey"]] = output["OutputValue"]
        stacks.append({"stack": stack["name"], "start": start, "end": end})
    print(json.dumps({"stacks": stacks, "total": time.time() - started}))


if __name__ == "__main__":
    main()
