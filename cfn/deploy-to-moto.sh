#!/usr/bin/env bash
# Deploys every stack of cfn/stacks.json, in order, to moto_server on loopback - a developer's rehearsal of the
# wiring, not a deployment (that is ./build.sh --target=DeployInfrastructure).
#
#   python -m moto.server -H 127.0.0.1 -p 5599 &        # or: python3 tools/moto/serve.py -H 127.0.0.1 -p 5599 &
#   cfn/deploy-to-moto.sh http://127.0.0.1:5599 [--environment NAME] [--environment-file FILE] [--change-sets]
#
# Parameters are wired as the build wires them: EnvironmentName is the environment's name; every other parameter
# comes from the environment file's "parameters", else from an earlier stack's output of the same name, else
# from the template's default; a parameter with none of them, or a "parameters" key no template declares, is an
# error. Without --environment-file the example environment below is used.
#
# What an account holds before the first deploy, the script creates in moto when the parameters do not name it:
# the Route 53 zone of DomainName's parent domain (HostedZoneId), an ACM certificate (CertificateArn) and the
# admin password secret (AdminPasswordSecretArn). The certificate is requested through ACM rather than left to
# the template because moto's CloudFormation skips AWS::CertificateManager::Certificate, and the HTTPS listener
# then fails; give "CertificateArn": "" in an environment file to make the template request it (needs
# tools/moto/serve.py, which maps that resource onto moto's ACM).
#
# New stacks are created with CreateStack, existing ones updated with `aws cloudformation deploy` (a change set):
# moto 5.x gives a stack created through a change set no Outputs, which would break the wiring. --change-sets
# creates new stacks through `aws cloudformation deploy` as well (use it with tools/moto/serve.py, which fixes
# that gap). Outputs a template declares that moto does not return are reported as moto gaps, not failures.
set -euo pipefail

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
endpoint="$1"; shift
environment=example
environment_file=""
change_sets=false
while [ $# -gt 0 ]; do
  case "$1" in
    --environment) environment="${2:?}"; shift 2 ;;
    --environment-file) environment_file="${2:?}"; shift 2 ;;
    --change-sets) change_sets=true; shift ;;
    *) usage ;;
  esac
done

# Loopback only, and moto's dummy credentials only: this script must never reach a real account.
if ! [[ "$endpoint" =~ ^http://(127\.[0-9]+\.[0-9]+\.[0-9]+|localhost)(:[0-9]+)?/?$ ]]; then
  echo "deploy-to-moto: $endpoint is not a loopback URL (http://127.0.0.1:PORT); refusing." >&2
  exit 2
fi
[[ "$environment" =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "deploy-to-moto: environment '$environment': lower-case letters, digits and '-'" >&2; exit 2; }
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

cfn_dir="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log() { printf '[moto] %s\n' "$*" >&2; }
die() { printf '[moto] error: %s\n' "$*" >&2; exit 1; }

# --- the environment: its region and "parameters" (the build's environment file format) ---------------------
if [ -n "$environment_file" ]; then
  [ -f "$environment_file" ] || die "no environment file $environment_file"
  cp "$environment_file" "$work/environment.json"
else
  # The example environment (cfn/README.md shows the same map for a real account).
  cat > "$work/environment.json" <<'JSON'
{
  "region": "eu-west-1",
  "parameters": {
    "DomainName": "jenkins.example.com",
    "IdleTimeoutSeconds": "120",
    "LogRetentionDays": "30",
    "AgentMaxInstances": "4"
  }
}
JSON
fi

# Tab-separated "key<TAB>value" lines of the environment's parameters; values are strings as the build passes them.
python3 - "$work/environment.json" > "$work/environment.tsv" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
for key, value in (document.get("parameters") or {}).items():
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, list):
        value = ",".join(str(v) for v in value)
    print(f"{key}\t{value}")
PY
region="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("region") or "eu-west-1")' "$work/environment.json")"
export AWS_DEFAULT_REGION="$region" AWS_REGION="$region"
aws=(aws --endpoint-url "$endpoint" --region "$region")

declare -A parameters=()
while IFS=$'\t' read -r key value; do parameters["$key"]="$value"; done < "$work/environment.tsv"

"${aws[@]}" sts get-caller-identity >/dev/null 2>&1 || die "nothing answers at $endpoint (start moto_server first)"

# --- the stacks and their templates ---------------------------------------------------------------------------
# stacks.tsv: name<TAB>template path. params/<stack>.tsv: parameter<TAB>1 if it has a default<TAB>the default.
# outputs/<stack>.txt: the outputs the template declares.
mkdir -p "$work/params" "$work/outputs"
python3 - "$cfn_dir" "$work" > "$work/stacks.tsv" <<'PY'
import json, os, sys, yaml
cfn, work = sys.argv[1], sys.argv[2]

class TemplateLoader(yaml.SafeLoader):
    pass

# Intrinsic functions (!Ref, !Sub ...) are not resolved; only Parameters and Outputs are read.
TemplateLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
for stack in json.load(open(os.path.join(cfn, "stacks.json"))):
    path = os.path.join(cfn, stack["template"])
    template = yaml.load(open(path), Loader=TemplateLoader)
    with open(os.path.join(work, "params", stack["name"] + ".tsv"), "w") as out:
        for name, declaration in (template.get("Parameters") or {}).items():
            declaration = declaration or {}
            default = declaration.get("Default", "")
            out.write(f"{name}\t{1 if 'Default' in declaration else 0}\t{default}\n")
    with open(os.path.join(work, "outputs", stack["name"] + ".txt"), "w") as out:
        out.writelines(f"{name}\n" for name in (template.get("Outputs") or {}))
    print(f"{stack['name']}\t{path}")
PY

# A "parameters" key no template declares is a typo: fail before anything is created, as the build does.
declared="$(cut -f1 "$work"/params/*.tsv | sort -u)"
for key in "${!parameters[@]}"; do
  grep -qxF "$key" <<<"$declared" || die "\"parameters\" names $key, which no stack declares"
done
declares() { grep -qxF "$1" <<<"$declared"; }

# A parameter without default that neither the environment nor an earlier stack's declared outputs give: fail
# before the first stack (the build finds it when it reaches that stack).
earlier_outputs=""
while IFS=$'\t' read -r name _; do
  while IFS=$'\t' read -r parameter has_default _; do
    if [ "$parameter" = EnvironmentName ] || [ "$has_default" = 1 ] || [ -n "${parameters[$parameter]+set}" ]; then continue; fi
    grep -qxF "$parameter" <<<"$earlier_outputs" || [[ "$parameter" =~ ^(HostedZoneId|CertificateArn|AdminPasswordSecretArn)$ ]] \
      || die "stack '$name' needs $parameter, which no earlier stack outputs and the template gives no default: set it under \"parameters\""
  done < "$work/params/$name.tsv"
  earlier_outputs+="$(cat "$work/outputs/$name.txt")"$'\n'
done < "$work/stacks.tsv"

# --- what the account holds before the first deploy -------------------------------------------------------------
domain="${parameters[DomainName]:-}"
if declares HostedZoneId && [ -z "${parameters[HostedZoneId]+set}" ] && [ -n "$domain" ]; then
  zone_name="${domain#*.}."
  zone_id="$("${aws[@]}" route53 list-hosted-zones --query "HostedZones[?Name=='$zone_name'].Id | [0]" --output text)"
  if [ "$zone_id" = None ] || [ -z "$zone_id" ]; then
    zone_id="$("${aws[@]}" route53 create-hosted-zone --name "$zone_name" --caller-reference "deploy-to-moto-$environment-$$" --query HostedZone.Id --output text)"
    log "created the Route 53 zone $zone_name"
  fi
  parameters[HostedZoneId]="${zone_id##*/}"
fi
if declares CertificateArn && [ -z "${parameters[CertificateArn]+set}" ] && [ -n "$domain" ]; then
  certificate="$("${aws[@]}" acm list-certificates --query "CertificateSummaryList[?DomainName=='$domain'].CertificateArn | [0]" --output text)"
  if [ "$certificate" = None ] || [ -z "$certificate" ]; then
    certificate="$("${aws[@]}" acm request-certificate --domain-name "$domain" --subject-alternative-names "internal.$domain" --validation-method DNS --query CertificateArn --output text)"
    log "requested an ACM certificate for $domain and internal.$domain (the internal load balancer's name)"
  fi
  parameters[CertificateArn]="$certificate"
fi
if declares AdminPasswordSecretArn && [ -z "${parameters[AdminPasswordSecretArn]+set}" ]; then
  secret_name="$environment/jenkins/admin-password"
  if ! secret="$("${aws[@]}" secretsmanager describe-secret --secret-id "$secret_name" --query ARN --output text 2>/dev/null)"; then
    secret="$("${aws[@]}" secretsmanager create-secret --name "$secret_name" --secret-string "$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')" --query ARN --output text)"
    log "created the secret $secret_name"
  fi
  parameters[AdminPasswordSecretArn]="$secret"
fi

# --- deploy in order --------------------------------------------------------------------------------------------
declare -A outputs=()
gaps=()

stack_status() { "${aws[@]}" cloudformation describe-stacks --stack-name "$1" --query 'Stacks[0].StackStatus' --output text 2>/dev/null || true; }

fingerprint_tag=deploy-to-moto:fingerprint
while IFS=$'\t' read -r name template; do
  stack="$environment-jenkins-$name"
  args=()        # Key=Value, for `aws cloudformation deploy`
  effective=()   # every parameter's value, defaults included: what the stack runs with
  missing=()
  : > "$work/$name.parameters.tsv"
  status="$(stack_status "$stack")"
  while IFS=$'\t' read -r parameter has_default default; do
    from_default=false
    if [ "$parameter" = EnvironmentName ]; then
      value="$environment"
    elif [ -n "${parameters[$parameter]+set}" ]; then
      value="${parameters[$parameter]}"
    elif [ -n "${outputs[$parameter]+set}" ]; then
      value="${outputs[$parameter]}"
    elif [ "$has_default" = 1 ]; then
      value="$default"
      from_default=true
    else
      missing+=("$parameter")
      continue
    fi
    effective+=("$parameter=$value")
    # The build leaves a defaulted parameter out, so AWS takes the template's default. On an existing stack
    # `aws cloudformation deploy` would instead keep the previous value (and moto then fails to re-resolve an
    # SSM-typed parameter such as EcsAmiId), so there the default is passed explicitly.
    if [ "$from_default" = true ] && [ -z "$status" ]; then continue; fi
    args+=("$parameter=$value")
    printf '%s\t%s\n' "$parameter" "$value" >> "$work/$name.parameters.tsv"
  done < "$work/params/$name.tsv"
  [ ${#missing[@]} -eq 0 ] || die "stack '$name' needs ${missing[*]}, which no earlier stack outputs and the template gives no default: set it under \"parameters\""

  # The template and the parameters it runs with, as a stack tag: an unchanged stack is skipped, as the build
  # skips it, which also keeps re-runs off moto's update path (see cfn/README.md).
  fingerprint="$( { cat "$template"; printf '%s\n' "${effective[@]}" | sort; } | sha256sum | cut -c1-16)"
  if [ -n "$status" ] && [ "$("${aws[@]}" cloudformation describe-stacks --stack-name "$stack" \
      --query "Stacks[0].Tags[?Key=='$fingerprint_tag'].Value | [0]" --output text)" = "$fingerprint" ]; then
    log "$stack: unchanged ($status), skipped"
  elif [ -z "$status" ] && [ "$change_sets" = false ]; then
    log "$stack: creating with ${#args[@]} parameters (${args[*]%%=*})"
    python3 - "$work/$name.parameters.tsv" > "$work/$name.parameters.json" <<'PY'
import json, sys
rows = [line.rstrip("\n").split("\t", 1) for line in open(sys.argv[1]) if line.strip()]
print(json.dumps([{"ParameterKey": key, "ParameterValue": value} for key, value in rows]))
PY
    "${aws[@]}" cloudformation create-stack --stack-name "$stack" --template-body "file://$template" \
      --parameters "file://$work/$name.parameters.json" --capabilities CAPABILITY_NAMED_IAM \
      --tags "Key=$fingerprint_tag,Value=$fingerprint" >/dev/null
    if ! "${aws[@]}" cloudformation wait stack-create-complete --stack-name "$stack"; then
      "${aws[@]}" cloudformation describe-stack-events --stack-name "$stack" --max-items 20 \
        --query 'StackEvents[].[LogicalResourceId,ResourceStatus,ResourceStatusReason]' --output text >&2 || true
      die "$stack did not reach CREATE_COMPLETE ($(stack_status "$stack"))"
    fi
  else
    log "$stack: deploying a change set with ${#args[@]} parameters (${args[*]%%=*})"
    # On AWS an unchanged stack gives a FAILED change set, which --no-fail-on-empty-changeset accepts; moto
    # refuses the CreateChangeSet call itself with "No updates are to be performed.": the same outcome.
    if ! "${aws[@]}" cloudformation deploy --stack-name "$stack" --template-file "$template" \
        --parameter-overrides "${args[@]}" --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset \
        --tags "$fingerprint_tag=$fingerprint" >/dev/null 2>"$work/$name.deploy.err"; then
      grep -q "No updates are to be performed" "$work/$name.deploy.err" || { cat "$work/$name.deploy.err" >&2; die "$stack: deploy failed"; }
      log "$stack: no changes"
    fi
  fi
  status="$(stack_status "$stack")"
  case "$status" in
    CREATE_COMPLETE|UPDATE_COMPLETE) ;;
    *) die "$stack is $status" ;;
  esac

  "${aws[@]}" cloudformation describe-stacks --stack-name "$stack" \
    --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output text > "$work/$name.outputs.tsv"
  while IFS=$'\t' read -r key value; do
    if [ -z "$key" ] || [ "$key" = None ]; then continue; fi
    outputs["$key"]="$value"
    # An AWS identifier or ARN has no spaces or angle brackets; moto's CloudFormation sometimes returns an
    # object's repr instead (e.g. !Ref of an EFS access point).
    if [[ "$value" == *" "* || "$value" == *"<"* ]]; then gaps+=("$stack: output $key is not an identifier: $value"); fi
  done < "$work/$name.outputs.tsv"
  while read -r declared_output; do
    [ -n "${outputs[$declared_output]+set}" ] || gaps+=("$stack: output $declared_output is missing (its resource is not created by moto's CloudFormation)")
  done < "$work/outputs/$name.txt"
  log "$stack: $status, $(grep -c . "$work/$name.outputs.tsv" || true) outputs"
done < "$work/stacks.tsv"

echo
echo "Outputs:"
for key in $(printf '%s\n' "${!outputs[@]}" | sort); do printf '  %-36s %s\n' "$key" "${outputs[$key]}"; done
if [ ${#gaps[@]} -gt 0 ]; then
  echo
  echo "moto gaps (every stack is complete; these values would be right on AWS):"
  printf '  %s\n' "${gaps[@]}"
fi
