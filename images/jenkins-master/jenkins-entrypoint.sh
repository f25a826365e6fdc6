#!/bin/sh
# Adds the JVM settings a container needs, then hands over to the official start script.
# - Heap from the container's memory limit (the task definition's), not the instance's.
# - The JVM's timezone from TZ, so build timestamps and cron triggers follow the task definition.
set -eu
: "${TZ:=Etc/UTC}"
JAVA_OPTS="${JAVA_OPTS:-} -XX:InitialRAMPercentage=${JENKINS_HEAP_INITIAL_PERCENT:-50} -XX:MaxRAMPercentage=${JENKINS_HEAP_PERCENT:-70} -XX:+ExitOnOutOfMemoryError -Duser.timezone=${TZ} -Dorg.apache.commons.jelly.tags.fmt.timeZone=${TZ}"
export JAVA_OPTS TZ
exec /usr/local/bin/jenkins.sh "$@"
