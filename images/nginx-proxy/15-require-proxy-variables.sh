#!/bin/sh
# Stops the container before NGINX starts when the task definition lacks a variable the template needs
# (ecs/proxy.json sets them): NGINX would otherwise fail on a literal ${PROXY_...} with a less helpful message.
set -eu
missing=""
for name in PROXY_UPSTREAM PROXY_RESOLVER PROXY_TIMEOUT PROXY_LISTEN_PORT PROXY_RESOLVER_VALID; do
    eval "value=\${$name:-}"
    if [ -z "$value" ]; then
        missing="$missing $name"
    fi
done
if [ -n "$missing" ]; then
    echo "$0: the proxy's environment lacks:$missing (set them in its task definition, ecs/proxy.json; PROXY_UPSTREAM is the master's internal address, e.g. http://internal-lb.example:80)" >&2
    exit 1
fi
