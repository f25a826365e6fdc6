#!/bin/sh
# Stops the container before NGINX starts when the task definition lacks a variable the template needs
# (ecs/proxy.json sets them): NGINX would otherwise fail on a literal ${PROXY_...} with a less helpful message.
set -eu
missing=""
for name in PROXY_UPSTREAM PROXY_RESOLVER PROXY_TIMEOUT PROXY_LISTEN_PORT PROXY_RESOLVER_VALID PROXY_UPSTREAM_CA; do
    eval "value=\${$name:-}"
    if [ -z "$value" ]; then
        missing="$missing $name"
    fi
done
if [ -n "$missing" ]; then
    echo "$0: the proxy's environment lacks:$missing (set them in its task definition, ecs/proxy.json; PROXY_UPSTREAM is the master's internal address, e.g. https://internal.jenkins.example.com:443)" >&2
    exit 1
fi
# NGINX verifies the internal load balancer's certificate against this file; without it every request would fail.
if [ ! -s "$PROXY_UPSTREAM_CA" ]; then
    echo "$0: PROXY_UPSTREAM_CA ($PROXY_UPSTREAM_CA) is missing or empty: the proxy cannot verify the internal load balancer's certificate (install ca-certificates in the image, or point PROXY_UPSTREAM_CA at a CA bundle)" >&2
    exit 1
fi
