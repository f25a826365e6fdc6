#!/bin/sh
# Prepares the master's start, then hands over to the official start script (jenkins.sh).
#
# 1. The image's plugins win over what an older image left in JENKINS_HOME. The home lives on EFS and outlives
#    images; the official script copies ref/ files into it only when absent and keeps newer or hand-upgraded
#    plugins. Every plugin this image carries replaces any other version in the home (and its unpacked folder,
#    so Jenkins unpacks the new one). Plugins the image does not carry are left alone. A replaced plugin is left
#    as the official copy step (jenkins-support's copy_reference_file, jenkinsci/docker 2.568.2) leaves a plugin
#    it installs: `<plugin>.jpi.pinned` touched and `<plugin>.jpi.version_from_image` holding the image's
#    version (read with that script's own get_plugin_version). Without the marker, or with one an older image
#    wrote, that step takes the plugin for a manual upgrade and logs it as SKIPPED at every start.
# 2. The first admin's password comes from a secret the task definition injects (JENKINS_ADMIN_PASSWORD).
#    Without one, the fallback the original design used: a random initial password, kept in the home so that
#    restarts keep it, and printed once to the log (CloudWatch Logs), where an operator reads it.
# 3. JVM settings for a container: heap from the container's memory limit, and the timezone from TZ, so
#    build timestamps and cron triggers follow the task definition.
set -eu

home="${JENKINS_HOME:-/var/jenkins_home}"
ref="${JENKINS_REF_PLUGINS:-/usr/share/jenkins/ref/plugins}"
if [ -d "$ref" ]; then
  mkdir -p "$home/plugins"
  for plugin in "$ref"/*.jpi; do
    [ -e "$plugin" ] || continue
    name="$(basename "$plugin" .jpi)"
    if ! cmp -s "$plugin" "$home/plugins/$name.jpi"; then
      rm -rf "$home/plugins/$name" "$home/plugins/$name.jpi" "$home/plugins/$name.hpi" \
             "$home/plugins/$name.jpi.pinned" "$home/plugins/$name.hpi.pinned" "$home/plugins/$name.jpi.disabled"
      cp "$plugin" "$home/plugins/$name.jpi"
      touch "$home/plugins/$name.jpi.pinned"
      # jenkins-support is a bash script; its function reads Plugin-Version from the plugin's manifest.
      bash -c '. /usr/local/bin/jenkins-support && get_plugin_version "$1"' get_plugin_version "$plugin" \
        > "$home/plugins/$name.jpi.version_from_image"
      echo "jenkins-entrypoint: $name: the image's version replaces the one in $home"
    fi
  done
fi

: "${JENKINS_ADMIN_USER:=admin}"
if [ -z "${JENKINS_ADMIN_PASSWORD:-}" ]; then
  initial="$home/secrets/initialAdminPassword"
  if [ ! -s "$initial" ]; then
    mkdir -p "$home/secrets"
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$initial")
    echo "jenkins-entrypoint: no admin password secret was injected. Initial password of '$JENKINS_ADMIN_USER': $(cat "$initial") (kept in $initial)"
  fi
  JENKINS_ADMIN_PASSWORD="$(cat "$initial")"
fi
export JENKINS_ADMIN_USER JENKINS_ADMIN_PASSWORD

: "${TZ:=Etc/UTC}"
JAVA_OPTS="${JAVA_OPTS:-} -XX:InitialRAMPercentage=${JENKINS_HEAP_INITIAL_PERCENT:-50} -XX:MaxRAMPercentage=${JENKINS_HEAP_PERCENT:-70} -XX:+ExitOnOutOfMemoryError -Duser.timezone=${TZ} -Dorg.apache.commons.jelly.tags.fmt.timeZone=${TZ}"
export JAVA_OPTS TZ
exec /usr/local/bin/jenkins.sh "$@"
