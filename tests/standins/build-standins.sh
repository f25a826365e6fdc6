#!/usr/bin/env bash
# Builds small local stand-ins for the real base images (Docker Hub is out of reach here), so that every
# Dockerfile can be built in tests. Each stand-in is a static busybox plus shell scripts standing in for the
# tools a Dockerfile runs (jenkins-plugin-cli, apt-get, dotnet, node, mvn...), at the paths of the real image.
# The scripts check what they are asked, so a Dockerfile that calls a tool wrongly fails here too.
#
# Usage: build-standins.sh [--force]     Images: standin/<name>:test; standins.json maps real bases to them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
force="${1:-}"
busybox="${BUSYBOX:-/usr/bin/busybox}"

die() { echo "build-standins: $*" >&2; exit 1; }
[ -x "$busybox" ] || die "no static busybox at $busybox: apt-get install busybox-static"
command -v docker >/dev/null || die "docker is not on PATH"

# Every base image a Dockerfile names must have a stand-in, or the tests could not build it.
missing=$(grep -hoE '^ARG[[:space:]]+([A-Z0-9_]+_)?IMAGE=[^[:space:]]+' "$repo"/images/*/Dockerfile "$repo"/images/agents/*/Dockerfile \
  | sed -E 's/^ARG[[:space:]]+[A-Z0-9_]+=//' | sort -u | while read -r image; do
      grep -qF "\"$image\"" "$here/standins.json" || echo "$image"
    done)
[ -z "$missing" ] || die "no stand-in in tests/standins/standins.json for: $missing"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A root file system with busybox, its applets, root and jenkins (uid/gid 1000) users.
new_root() {
  local root="$work/$1"
  mkdir -p "$root"/{bin,etc,tmp,usr/bin,usr/local/bin,usr/sbin,var/lib/apt/lists,root}
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\njenkins:x:1000:1000:Jenkins:/home/jenkins:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\njenkins:x:1000:\n' > "$root/etc/group"
  echo "$root"
}

# script PATH: writes an executable script from stdin.
script() { mkdir -p "$(dirname "$1")"; cat > "$1"; chmod 0755 "$1"; }

import() {
  local name="$1" root="$2"; shift 2
  local hash
  hash="$( (cd "$root" && find . -type f ! -name busybox -exec sha256sum {} + | sort; find . -printf '%p %U:%G %m\n' | sort; printf '%s\n' "$@") | sha256sum | cut -c1-16)"
  if [ "$force" != "--force" ] && [ "$(docker image inspect -f '{{index .Config.Labels "standin.hash"}}' "standin/$name:test" 2>/dev/null)" = "$hash" ]; then
    echo "standin/$name:test up to date"
    return
  fi
  local changes=(-c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" -c "LABEL standin.hash=$hash")
  for change in "$@"; do changes+=(-c "$change"); done
  tar -C "$root" --numeric-owner -c . | docker import "${changes[@]}" - "standin/$name:test" >/dev/null
  echo "standin/$name:test built"
}

# --- jenkins/jenkins ----------------------------------------------------------------------------------
root="$(new_root jenkins)"
mkdir -p "$root/usr/share/jenkins/ref" "$root/var/jenkins_home" "$root/usr/bin"
chown -R 1000:1000 "$root/usr/share/jenkins/ref" "$root/var/jenkins_home"
script "$root/usr/local/bin/jenkins.sh" <<'SH'
#!/bin/sh
echo "stand-in jenkins.sh: would start Jenkins with JAVA_OPTS=$JAVA_OPTS"
SH
script "$root/usr/bin/tini" <<'SH'
#!/bin/sh
[ "$1" = "--" ] && shift
exec "$@"
SH
# The real jenkins-plugin-cli installs plugins; this one checks it was given a well-formed, pinned plugin file.
script "$root/usr/local/bin/jenkins-plugin-cli" <<'SH'
#!/bin/sh
file=""
while [ $# -gt 0 ]; do
  case "$1" in
    -f|--plugin-file) file="$2"; shift 2 ;;
    --plugin-file=*) file="${1#*=}"; shift ;;
    *) shift ;;
  esac
done
[ -n "$file" ] || { echo "jenkins-plugin-cli stand-in: no --plugin-file given" >&2; exit 2; }
[ -s "$file" ] || { echo "jenkins-plugin-cli stand-in: $file is missing or empty" >&2; exit 2; }
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  line="$(echo "$line" | sed 's/#.*//; s/^[[:space:]]*//; s/[[:space:]]*$//')"
  [ -z "$line" ] && continue
  echo "$line" | grep -Eq '^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$' || { echo "jenkins-plugin-cli stand-in: $file line $n: '$line' is not id:version" >&2; exit 1; }
  plugin="${line%%:*}"
  mkdir -p /usr/share/jenkins/ref/plugins
  echo "${line#*:}" > "/usr/share/jenkins/ref/plugins/$plugin.jpi"
done < "$file"
echo "--plugin-file $file" > /usr/share/jenkins/ref/.plugin-cli-called
SH
import jenkins "$root" "USER jenkins" 'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/jenkins.sh"]'

# --- jenkins/inbound-agent ----------------------------------------------------------------------------
root="$(new_root inbound-agent)"
mkdir -p "$root/home/jenkins/agent" "$root/opt/java/openjdk/bin"
chown -R 1000:1000 "$root/home/jenkins"
script "$root/usr/local/bin/jenkins-agent" <<'SH'
#!/bin/sh
echo "stand-in jenkins-agent: JENKINS_URL=$JENKINS_URL JENKINS_AGENT_NAME=$JENKINS_AGENT_NAME"
SH
script "$root/opt/java/openjdk/bin/java" <<'SH'
#!/bin/sh
echo 'openjdk version "21.0.5" (stand-in)'
SH
ln -s /opt/java/openjdk/bin/java "$root/usr/bin/java"
# apt-get cannot install here; it checks its arguments and leaves stand-in executables for known packages.
script "$root/usr/bin/apt-get" <<'SH'
#!/bin/sh
case "$1" in
  update) echo "stand-in apt-get: update"; exit 0 ;;
  install) shift ;;
  *) echo "stand-in apt-get: unsupported command $1" >&2; exit 100 ;;
esac
for package in "$@"; do
  case "$package" in
    -y|--no-install-recommends|-q|-qq) ;;
    -*) echo "stand-in apt-get: unknown option $package" >&2; exit 100 ;;
    python3)
      cat > /usr/bin/python3 <<'PY'
#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  [ -x /usr/bin/pip3 ] || { echo "/usr/bin/python3: No module named pip" >&2; exit 1; }
  shift 2; exec /usr/bin/pip3 "$@"
fi
echo "Python 3.11.2"
PY
      chmod 0755 /usr/bin/python3 ;;
    python3-pip)
      printf '#!/bin/sh\necho "pip 23.0.1 from /usr/lib/python3/dist-packages/pip (python 3.11)"\n' > /usr/bin/pip3
      chmod 0755 /usr/bin/pip3 ;;
    *) mkdir -p "/usr/share/doc/$package" && echo "stand-in" > "/usr/share/doc/$package/standin" ;;
  esac
done
echo "stand-in apt-get: installed $*"
SH
import inbound-agent "$root" "USER jenkins" "ENV JAVA_HOME=/opt/java/openjdk" "ENV AGENT_WORKDIR=/home/jenkins/agent" 'ENTRYPOINT ["/usr/local/bin/jenkins-agent"]'

# --- toolchain images the agents copy from --------------------------------------------------------------
root="$(new_root dotnet-sdk)"
script "$root/usr/share/dotnet/dotnet" <<'SH'
#!/bin/sh
echo ".NET SDK (stand-in): Version: 8.0.404"
SH
import dotnet-sdk "$root"

root="$(new_root node)"
script "$root/usr/local/bin/node" <<'SH'
#!/bin/sh
echo "v22.12.0"
SH
script "$root/usr/local/lib/node_modules/npm/bin/npm-cli.js" <<'SH'
#!/bin/sh
echo "10.9.0"
SH
script "$root/usr/local/lib/node_modules/npm/bin/npx-cli.js" <<'SH'
#!/bin/sh
echo "10.9.0"
SH
import node "$root"

root="$(new_root maven)"
script "$root/usr/share/maven/bin/mvn" <<'SH'
#!/bin/sh
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] || { echo "The JAVA_HOME environment variable is not defined correctly" >&2; exit 1; }
echo "Apache Maven 3.9.9 (stand-in)"
SH
import maven "$root"

# --- nginx ----------------------------------------------------------------------------------------------
root="$(new_root nginx)"
mkdir -p "$root/etc/nginx/conf.d"
script "$root/usr/sbin/nginx" <<'SH'
#!/bin/sh
echo "stand-in nginx $*"
SH
import nginx "$root" 'CMD ["nginx", "-g", "daemon off;"]'
