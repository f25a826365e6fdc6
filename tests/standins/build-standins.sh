#!/usr/bin/env bash
# Builds small local stand-ins for the real base images, so that every Dockerfile under images/ can be built
# in tests where no registry is reachable. Each stand-in is `docker import` of a root file system holding the
# static busybox (Debian's busybox-static) and shell scripts standing in for the tools a Dockerfile runs
# (jenkins-plugin-cli, apt-get, dotnet, node, npm, mvn, nginx), at the paths of the real image. The scripts
# check how they are called (a plugin file of pinned id:version lines, apt-get as root after an update, the
# whole SDK folder copied, JAVA_HOME set...), so a Dockerfile that would fail on the real base fails here too.
#
# Images: standin/<name>:test. tests/standins/standins.json maps each real default image of the Dockerfiles'
# ARG ..._IMAGE / BASE_IMAGE lines to its stand-in; this script fails when a default has no entry.
#
# Usage: build-standins.sh [--force] [--check-only]
#   --force       rebuild every stand-in, even those already built from this very script and busybox
#   --check-only  only check standins.json against the Dockerfiles (no Docker needed)
# Without --force an image already built from the same script and busybox is kept: a run with every image
# present does no more than one `docker image inspect` per image.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
self="$here/$(basename "${BASH_SOURCE[0]}")"
busybox="${BUSYBOX:-/usr/bin/busybox}"
mapping="$here/standins.json"
names=(jenkins inbound-agent dotnet-sdk node maven nginx)

force=false
check_only=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    --check-only) check_only=true ;;
    -h|--help) sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-standins: unknown argument '$arg' (use --force, --check-only or --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build-standins: $*" >&2; exit 1; }

# --- standins.json against the Dockerfiles -------------------------------------------------------------
# Every ARG BASE_IMAGE=... / ARG <NAME>_IMAGE=... before a Dockerfile's first FROM is a real image the tests
# must replace; each needs an entry, and each entry must name a stand-in this script builds.
# standins.json is one flat JSON object of strings, one "real": "stand-in" pair a line.
check_mapping() {
  [ -f "$mapping" ] || die "$mapping is missing"
  local keys problems=() dockerfile shown line image value known
  keys="$(grep -oE '"[^"]+"[[:space:]]*:' "$mapping" | sed -E 's/^"//; s/"[[:space:]]*:$//')"
  while IFS= read -r dockerfile; do
    shown="${dockerfile#"$repo"/}"
    while IFS= read -r line; do
      case "$line" in
        *=*) image="${line#*=}" ;;
        *) problems+=("$shown: ARG ${line} has no default (give it the real pinned image)"); continue ;;
      esac
      [ -n "$image" ] || { problems+=("$shown: ARG ${line%%=*} has an empty default"); continue; }
      grep -qxF -- "$image" <<<"$keys" || problems+=("$shown: $image (ARG ${line%%=*}) has no entry in tests/standins/standins.json")
    done < <(awk 'toupper($1) == "FROM" { exit } toupper($1) == "ARG" { print $2 }' "$dockerfile" \
               | grep -E '^(BASE|[A-Za-z0-9_]+_)IMAGE(=|$)' || true)
  done < <(find "$repo/images" -name Dockerfile -type f | sort)

  while IFS= read -r value; do
    known=false
    for name in "${names[@]}"; do [ "$value" = "standin/$name:test" ] && known=true; done
    $known || problems+=("tests/standins/standins.json: '$value' is not a stand-in this script builds (standin/{$(IFS=,; echo "${names[*]}")}:test)")
  done < <(grep -oE ':[[:space:]]*"[^"]+"' "$mapping" | sed -E 's/^:[[:space:]]*"//; s/"$//')

  if [ ${#problems[@]} -gt 0 ]; then
    printf 'build-standins: %s\n' "${problems[@]}" >&2
    exit 1
  fi
}

check_mapping
$check_only && { echo "standins.json covers every base image of images/**/Dockerfile"; exit 0; }

[ -x "$busybox" ] || die "no busybox at $busybox: apt-get install busybox-static (or set BUSYBOX)"
if command -v ldd >/dev/null 2>&1 && ldd "$busybox" >/dev/null 2>&1; then
  die "$busybox is dynamically linked; the stand-ins need a static one (Debian's busybox-static)"
fi
command -v docker >/dev/null || die "docker is not on PATH"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "the Docker daemon does not answer"

# What every stand-in is made from: this script (every stand-in tool is written below), busybox, and the plugin
# closure contract (the jenkins stand-in's update center).
definition="$({ cat "$self" "$busybox"; cat "$repo/contracts/plugin-closure.json" 2>/dev/null || true; } | sha256sum | cut -c1-16)"

work="$(mktemp -d "${TMPDIR:-/tmp}/standins.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# new_root NAME: a root file system with busybox and its applets, root and jenkins (uid/gid 1000).
new_root() {
  root="$work/$1"
  mkdir -p "$root"/{bin,sbin,etc,root,tmp,usr/bin,usr/sbin,usr/local/bin,usr/local/sbin,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$busybox" "$root/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  ln -s /bin/busybox "$root/usr/bin/env"   # shebangs of the form #!/usr/bin/env node
  printf 'root:x:0:0:root:/root:/bin/sh\njenkins:x:1000:1000:Jenkins:/home/jenkins:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\njenkins:x:1000:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
}

# script PATH: an executable script from standard input, inside the current root.
script() {
  mkdir -p "$(dirname "$root$1")"
  cat > "$root$1"
  chmod 0755 "$root$1"
}

# import NAME OWNED CHANGE...: packs the current root (OWNED: space-separated paths owned by jenkins, 1000:1000;
# everything else by root, without needing root here) and imports it as standin/NAME:test.
import() {
  local name="$1" owned="$2"; shift 2
  local tag="standin/$name:test" tarball="$work/$name.tar" path
  local excludes=() changes=(
    -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    -c "LABEL standin.definition=$definition"
  )
  for path in $owned; do excludes+=("--exclude=./$path"); done
  tar -C "$root" -cf "$tarball" --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 "${excludes[@]}" .
  for path in $owned; do
    tar -C "$root" -rf "$tarball" --sort=name --mtime=@0 --numeric-owner --owner=1000 --group=1000 "./$path"
  done
  local change
  for change in "$@"; do changes+=(-c "$change"); done
  # A replaced stand-in is left in the daemon, untagged: a test run of another checkout on the same daemon may be
  # building on it, and its builds fail ("unknown parent image ID") once it is removed. Seen in a run here.
  docker import "${changes[@]}" -m "stand-in for tests (tests/standins/build-standins.sh)" "$tarball" "$tag" >/dev/null
  echo "$tag built"
}

# --- jenkins/jenkins ---------------------------------------------------------------------------------------
build_jenkins() {
  new_root jenkins
  mkdir -p "$root/usr/share/jenkins/ref" "$root/var/jenkins_home"
  echo "stand-in war" > "$root/usr/share/jenkins/jenkins.war"
  script /usr/bin/tini <<'SH'
#!/bin/sh
# Stand-in for tini: runs its command.
[ "${1:-}" = "--" ] && shift
exec "$@"
SH
  script /usr/local/bin/jenkins.sh <<'SH'
#!/bin/sh
# Stand-in for the official start script: says what it would start, and ends. Like the real one (jenkinsci/docker
# 2.568.2 jenkins.sh) it adds -Djenkins.model.Jenkins.slaveAgentPort=$JENKINS_SLAVE_AGENT_PORT when that variable
# is not empty and JAVA_OPTS/JENKINS_JAVA_OPTS do not name the property already.
opts="${JAVA_OPTS:-} ${JENKINS_JAVA_OPTS:-}"
case "$opts" in
  *jenkins.model.Jenkins.slaveAgentPort*) ;;
  *) [ -n "${JENKINS_SLAVE_AGENT_PORT:-}" ] && opts="$opts -Djenkins.model.Jenkins.slaveAgentPort=${JENKINS_SLAVE_AGENT_PORT}" ;;
esac
echo "stand-in jenkins.sh: would start Jenkins as $(id -un) with java $opts JENKINS_OPTS=${JENKINS_OPTS:-} $*"
SH
  # The real jenkins-support is bash and reads Plugin-Version from a plugin's manifest (unzip); the stand-in's
  # plugin files hold just their version, so its get_plugin_version prints their first line.
  script /usr/local/bin/jenkins-support <<'SH'
get_plugin_version() {
  head -n 1 "$1"
}
SH
  # The real image has bash (the start scripts are bash); busybox's sh stands in for it.
  script /bin/bash <<'SH'
#!/bin/sh
exec /bin/sh "$@"
SH
  # The real jenkins-plugin-cli (2.15.0) downloads plugins and their dependencies from the update center. This
  # one checks that it was given an existing, non-empty plugin file whose every line (comments and blank lines aside)
  # is a pinned id:version, writes one ref/plugins/<id>.jpi per plugin holding its version, and records the call in
  # ref/.plugin-cli-called. Like the real one (CliOptions, PluginManager.resolveRecursiveDependencies) it takes
  # --latest true|false (true by default) and --latest-specified, refuses both together, and adds each non-optional
  # dependency the list lacks: at the version required with --latest false, at "latest" otherwise (the update
  # center's newest; the stand-in knows no versions beyond what it was given). Its update center is
  # standin-update-center.txt, made from contracts/plugin-closure.json: each release the contract records and what
  # it requires. The gaps it leaves: it does not compare versions (the real tool fails when a listed plugin is below
  # a version another requires; the build's PluginClosure check refuses that before docker runs), and a release
  # it does not know it installs without dependencies, where the real tool reads them from the update center.
  if [ -f "$repo/contracts/plugin-closure.json" ]; then
    python3 - "$repo/contracts/plugin-closure.json" > "$root/usr/share/jenkins/standin-update-center.txt" <<'PY'
import json, sys
for p in json.load(open(sys.argv[1]))["plugins"]:
    needs = [f"{d['id']}:{d['version']}" for d in p["dependencies"]] + [f"{d['id']}:{d['version']}?" for d in p["optionalDependencies"]]
    print(" ".join([p["id"], p["version"], *needs]))
PY
  else
    : > "$root/usr/share/jenkins/standin-update-center.txt"
  fi
  script /usr/local/bin/jenkins-plugin-cli <<'SH'
#!/bin/sh
fail() { echo "jenkins-plugin-cli (stand-in): $*" >&2; exit 1; }
all="$*"
file=""
latest=true
latest_specified=false
while [ $# -gt 0 ]; do
  case "$1" in
    -f|--plugin-file) [ $# -ge 2 ] || fail "$1 needs a file"; file="$2"; shift 2 ;;
    --plugin-file=*) file="${1#*=}"; shift ;;
    --latest) [ $# -ge 2 ] || fail "Option \"--latest\" takes an operand"; latest="$2"; shift 2 ;;
    --latest=*) latest="${1#*=}"; shift ;;
    --latest-specified) latest_specified=true; shift ;;
    *) shift ;;
  esac
done
case "$latest" in true|false) ;; *) fail "\"$latest\" is not a valid value for \"--latest\" (true or false)" ;; esac
[ "$latest" = true ] && $latest_specified && fail "Only one plugin dependency version strategy can be selected at a time"
[ -n "$file" ] || fail "called without --plugin-file (or -f): the image's plugins must come from its pinned plugin file (called with: $all)"
[ -f "$file" ] || fail "$file does not exist"
[ -s "$file" ] || fail "$file is empty"
ref=/usr/share/jenkins/ref
center=/usr/share/jenkins/standin-update-center.txt
mkdir -p "$ref/plugins" || fail "cannot write $ref/plugins as $(id -un)"
n=0
count=0
seen=" "
listed=""
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  line="$(printf '%s' "$line" | tr -d '\r' | sed 's/#.*//; s/^[[:space:]]*//; s/[[:space:]]*$//')"
  [ -n "$line" ] || continue
  printf '%s\n' "$line" | grep -Eq '^[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+$' || fail "$file line $n: '$line' is not id:version"
  id="${line%%:*}"
  version="${line#*:}"
  case "$version" in latest|experimental) fail "$file line $n: '$line' is not pinned to a version" ;; esac
  case "$seen" in *" $id "*) fail "$file line $n: $id is listed twice" ;; esac
  seen="$seen$id "
  listed="$listed$id:$version "
  printf '%s\n' "$version" > "$ref/plugins/$id.jpi"
  count=$((count + 1))
done < "$file"
[ "$count" -gt 0 ] || fail "$file lists no plugin"
# Dependencies the list lacks, breadth first from the listed plugins.
queue="$listed"
added=""
while [ -n "$queue" ]; do
  next=""
  for entry in $queue; do
    for need in $(grep "^${entry%%:*} ${entry#*:} " "$center" | cut -d' ' -f3-); do
      case "$need" in *\?) continue ;; esac
      dependency="${need%%:*}"
      case "$seen" in *" $dependency "*) continue ;; esac
      seen="$seen$dependency "
      if [ "$latest" = true ]; then installed=latest; else installed="${need#*:}"; fi
      printf '%s\n' "$installed" > "$ref/plugins/$dependency.jpi"
      added="$added $dependency:$installed"
      next="$next $dependency:${need#*:}"
    done
  done
  queue="$next"
done
printf -- '--plugin-file %s\nargs: %s\nplugins:%s\nadded:%s\n' "$file" "$all" "$seen" "$added" > "$ref/.plugin-cli-called"
echo "jenkins-plugin-cli (stand-in): $count plugins from $file${added:+, dependencies added:$added}"
SH
  import jenkins "usr/share/jenkins/ref var/jenkins_home" \
    "ENV JENKINS_HOME=/var/jenkins_home" "ENV REF=/usr/share/jenkins/ref" "ENV JENKINS_SLAVE_AGENT_PORT=50000" \
    "USER jenkins" "WORKDIR /var/jenkins_home" 'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/jenkins.sh"]'
}

# --- jenkins/inbound-agent ---------------------------------------------------------------------------------
build_inbound_agent() {
  new_root inbound-agent
  mkdir -p "$root/home/jenkins/agent" "$root/home/jenkins/.jenkins" "$root/var/lib/apt/lists" "$root/var/log/apt" \
           "$root/usr/lib/x86_64-linux-gnu" "$root/usr/share/doc" "$root/usr/share/jenkins"
  echo "stand-in agent.jar" > "$root/usr/share/jenkins/agent.jar"
  # The entrypoint follows the real one (jenkins-agent of jenkinsci/docker-agent at the pinned tag, as
  # contracts/inbound-agent.json records it): the same variables and arguments make the same java command, in
  # the same order; -webSocket only when JENKINS_WEB_SOCKET is exactly "true". The gap it leaves: it is a port
  # from bash to busybox sh (REMOTING_OPTS is split with eval, not into a bash array), and the java stand-in
  # below records the command instead of running remoting, so whether remoting accepts the command and reaches
  # the master is not tested here.
  script /usr/local/bin/jenkins-agent <<'SH'
#!/bin/sh
# Stand-in for the inbound agent's entrypoint; see tests/standins/build-standins.sh.
if [ $# -eq 1 ] && [ "${1#-}" = "$1" ]; then
  exec "$@"
fi
case "$@" in
  *"-tunnel "*) ;;
  *) if [ ! -z "$JENKINS_TUNNEL" ]; then TUNNEL="-tunnel $JENKINS_TUNNEL"; fi ;;
esac
if [ ! -z "$JENKINS_AGENT_WORKDIR" ]; then
  case "$@" in
    *"-workDir"*) echo "Warning: Work directory is defined twice in command-line arguments and the environment variable" ;;
    *) WORKDIR="-workDir $JENKINS_AGENT_WORKDIR" ;;
  esac
fi
if [ -n "$JENKINS_URL" ]; then URL="-url $JENKINS_URL"; fi
if [ -n "$JENKINS_NAME" ]; then JENKINS_AGENT_NAME="$JENKINS_NAME"; fi
if [ "$JENKINS_WEB_SOCKET" = true ]; then WEB_SOCKET=-webSocket; fi
if [ -n "$JENKINS_PROTOCOLS" ]; then PROTOCOLS="-protocols $JENKINS_PROTOCOLS"; fi
if [ -n "$JENKINS_DIRECT_CONNECTION" ]; then DIRECT="-direct $JENKINS_DIRECT_CONNECTION"; fi
if [ -n "$JENKINS_INSTANCE_IDENTITY" ]; then INSTANCE_IDENTITY="-instanceIdentity $JENKINS_INSTANCE_IDENTITY"; fi
if [ "$JENKINS_JAVA_BIN" ]; then
  JAVA_BIN="$JENKINS_JAVA_BIN"
else
  JAVA_BIN="java"
  if [ "$JAVA_HOME" ]; then JAVA_BIN="$JAVA_HOME/bin/java"; fi
fi
if [ "$JENKINS_JAVA_OPTS" ]; then
  JAVA_OPTIONS="$JENKINS_JAVA_OPTS"
elif [ "$JAVA_OPTS" ]; then
  JAVA_OPTIONS="$JAVA_OPTS"
fi
if [ "$JENKINS_AGENT_FILE" ]; then AGENT_FILE="$JENKINS_AGENT_FILE"; else AGENT_FILE="/usr/share/jenkins/agent.jar"; fi
if [ -n "$JENKINS_SECRET" ]; then
  case "$@" in
    *"${JENKINS_SECRET}"*) echo "Warning: SECRET is defined twice in command-line arguments and the environment variable" ;;
    *) SECRET="-secret ${JENKINS_SECRET}" ;;
  esac
fi
if [ -n "$JENKINS_AGENT_NAME" ]; then
  case "$@" in
    *"${JENKINS_AGENT_NAME}"*) echo "Warning: AGENT_NAME is defined twice in command-line arguments and the environment variable" ;;
    *) AGENT_NAME="-name ${JENKINS_AGENT_NAME}" ;;
  esac
fi
# The real script: eval "REMOTING_OPTS_A=($REMOTING_OPTS)", then "${REMOTING_OPTS_A[@]}" "$@".
eval "set -- $REMOTING_OPTS \"\$@\""
exec $JAVA_BIN $JAVA_OPTIONS -jar $AGENT_FILE $SECRET $AGENT_NAME $TUNNEL $URL $WORKDIR $WEB_SOCKET $DIRECT $PROTOCOLS $INSTANCE_IDENTITY "$@"
SH
  # The agent's JDK 21. Started with -jar it records the command (one "argv: " line per word, the program
  # first) instead of running remoting, and ends.
  script /opt/java/openjdk/bin/java <<'SH'
#!/bin/sh
case "${1:-}" in
  -version) echo 'openjdk version "21" (stand-in)' >&2; exit 0 ;;
  --version) echo 'openjdk 21 (stand-in)'; exit 0 ;;
esac
jar=""
previous=""
for arg in "$@"; do
  [ "$previous" = "-jar" ] && jar="$arg"
  previous="$arg"
done
[ -n "$jar" ] || { echo "java (stand-in): cannot run $*" >&2; exit 1; }
[ -f "$jar" ] || { echo "Error: Unable to access jarfile $jar" >&2; exit 1; }
echo "java (stand-in): would run $jar as $(id -un) in $(pwd), with:"
printf 'argv: %s\n' "$0" "$@"
SH
  ln -s /opt/java/openjdk/bin/java "$root/usr/bin/java"
  # apt-get cannot install anything here. It checks how it is called (as root, update before install in the
  # same layer, -y), logs the call, and leaves stand-in executables or files for the packages it knows.
  script /usr/bin/apt-get <<'SH'
#!/bin/sh
fail() { echo "E: $* (apt-get stand-in)" >&2; exit 100; }
[ "$(id -u)" = 0 ] || fail "Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied): apt-get needs USER root"
lists=/var/lib/apt/lists
mkdir -p /var/log/apt
echo "apt-get $*" >> /var/log/apt/standin.log

# python3 -m pip / -m venv work once python3-pip / python3-venv are "installed".
install_python() {
  cat > /usr/bin/python3 <<'PY'
#!/bin/sh
# Stand-in for Debian's python3.
case "${1:-}" in
  --version|-V) echo "Python 3.13 (stand-in)" ;;
  -m)
    module="${2:-}"
    shift 2
    case "$module" in
      pip)
        [ -x /usr/bin/pip3 ] || { echo "/usr/bin/python3: No module named pip" >&2; exit 1; }
        exec /usr/bin/pip3 "$@" ;;
      venv)
        [ "${1:-}" = "--help" ] && { echo "usage: venv [-h] ENV_DIR"; exit 0; }
        [ -n "${1:-}" ] || { echo "usage: venv [-h] ENV_DIR" >&2; exit 2; }
        [ -e /usr/lib/python3/ensurepip.standin ] || { echo "The virtual environment was not created successfully because ensurepip is not available. apt install python3-venv" >&2; exit 1; }
        mkdir -p "$1/bin" && ln -sf /usr/bin/python3 "$1/bin/python" && ln -sf /usr/bin/python3 "$1/bin/python3" ;;
      *) echo "/usr/bin/python3: No module named $module" >&2; exit 1 ;;
    esac ;;
  *) echo "python3 (stand-in): only --version, -m pip and -m venv" >&2; exit 2 ;;
esac
PY
  chmod 0755 /usr/bin/python3
  ln -sf python3 /usr/bin/python3.13
}

install_one() {
  case "$1" in
    python3|python3-minimal|python3.*) install_python ;;
    python3-pip)
      [ -x /usr/bin/python3 ] || install_python
      printf '#!/bin/sh\necho "pip (stand-in) from /usr/lib/python3/dist-packages/pip (python 3.13)"\n' > /usr/bin/pip3
      chmod 0755 /usr/bin/pip3 ;;
    python3-venv)
      [ -x /usr/bin/python3 ] || install_python
      mkdir -p /usr/lib/python3 && : > /usr/lib/python3/ensurepip.standin ;;
    libicu-dev|libicu[0-9]*)
      for lib in libicuuc libicui18n libicudata; do : > "/usr/lib/x86_64-linux-gnu/$lib.so.76"; done ;;
  esac
  mkdir -p "/usr/share/doc/$1" && echo "installed by the apt-get stand-in" > "/usr/share/doc/$1/standin"
}

yes=false
command=""
packages=""
while [ $# -gt 0 ]; do
  case "$1" in
    -y|--yes|--assume-yes|-qq) yes=true ;;
    -q|--quiet|--no-install-recommends|--no-install-suggests) ;;
    -o) shift ;;
    -o*) ;;
    -*) fail "the stand-in does not know the option $1" ;;
    *) if [ -z "$command" ]; then command="$1"; else packages="$packages $1"; fi ;;
  esac
  shift
done
case "$command" in
  update)
    mkdir -p "$lists" && : > "$lists/standin-updated"
    echo "Reading package lists... Done (apt-get stand-in)" ;;
  install)
    [ -n "$packages" ] || fail "apt-get install names no package"
    $yes || fail "apt-get install without -y stops at 'Do you want to continue?' in a build"
    [ -e "$lists/standin-updated" ] || fail "Unable to locate package$packages: the package lists are empty (the image removed them): run apt-get update first, in the same RUN"
    for package in $packages; do install_one "$package"; done
    echo "apt-get stand-in: installed$packages" ;;
  clean|autoclean|autoremove) ;;
  "") fail "apt-get without a command" ;;
  *) fail "the stand-in does not support 'apt-get $command'" ;;
esac
SH
  import inbound-agent "home/jenkins" \
    "ENV JAVA_HOME=/opt/java/openjdk" "ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV AGENT_WORKDIR=/home/jenkins/agent" "ENV LANG=C.UTF-8" \
    "USER jenkins" "WORKDIR /home/jenkins" 'ENTRYPOINT ["/usr/local/bin/jenkins-agent"]'
}

# --- toolchain images the agents copy from -----------------------------------------------------------------
build_dotnet_sdk() {
  new_root dotnet-sdk
  mkdir -p "$root/usr/share/dotnet/sdk/10.0.400" "$root/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0" \
           "$root/usr/share/dotnet/host/fxr/10.0"
  # Like the real dotnet host: needs its sdk/ and shared/ folders beside it, and ICU unless invariant.
  script /usr/share/dotnet/dotnet <<'SH'
#!/bin/sh
self="$(readlink -f "$0")"
dir="${self%/*}"
[ -d "$dir/sdk/10.0.400" ] && [ -d "$dir/shared/Microsoft.NETCore.App" ] || {
  echo "The command could not be loaded, possibly because: no .NET SDK was found in $dir (copy the whole /usr/share/dotnet) (stand-in)" >&2
  exit 145
}
case "${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-}" in
  1|true|True|TRUE) ;;
  *) icu=""
     for lib in /usr/lib/*/libicuuc.so.* /usr/lib/libicuuc.so.*; do [ -e "$lib" ] && icu="$lib"; done
     [ -n "$icu" ] || {
       echo "Process terminated. Couldn't find a valid ICU package installed on the system. Please install libicu (or icu-libs) using your package manager and try again. (stand-in)" >&2
       exit 134
     } ;;
esac
case "${1:-}" in
  --info) printf '.NET SDK:\n Version:   10.0.400 (stand-in)\n\nRuntime Environment:\n Base Path: %s/sdk/10.0.400/\n\n.NET SDKs installed:\n  10.0.400 [%s/sdk]\n' "$dir" "$dir" ;;
  --version) echo "10.0.400" ;;
  --list-sdks) echo "10.0.400 [$dir/sdk]" ;;
  *) echo "dotnet (stand-in): only --info, --version and --list-sdks" >&2; exit 1 ;;
esac
SH
  ln -s /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
  import dotnet-sdk "" "ENV DOTNET_ROOT=/usr/share/dotnet"
}

build_node() {
  new_root node
  local tool
  # The official image's layout: node in /usr/local/bin, npm/npx/corepack as packages under node_modules,
  # linked from /usr/local/bin; their scripts start with #!/usr/bin/env node.
  script /usr/local/bin/node <<'SH'
#!/bin/sh
case "${1:-}" in
  --version|-v) echo "v24.19.0" ;;
  "") echo "node (stand-in): no REPL" >&2; exit 9 ;;
  -*) echo "node (stand-in): only --version and scripts" >&2; exit 9 ;;
  *)
    main="$(readlink -f "$1" 2>/dev/null)" || main=""
    [ -n "$main" ] && [ -f "$main" ] || { echo "Error: Cannot find module '$1' (stand-in)" >&2; exit 1; }
    shift
    package="${main%/*}"
    while [ -n "$package" ] && [ ! -f "$package/package.json" ]; do package="${package%/*}"; done
    case "${1:-}" in
      --version|-v) sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$package/package.json" ;;
      *) echo "node (stand-in): would run $main $*" ;;
    esac ;;
esac
SH
  for tool in npm/bin/npm-cli.js npm/bin/npx-cli.js corepack/dist/corepack.js; do
    script "/usr/local/lib/node_modules/$tool" <<'SH'
#!/usr/bin/env node
// stand-in: the node stand-in answers --version from the package's package.json
SH
    printf '{ "name": "%s", "version": "0.0.0-standin" }\n' "${tool%%/*}" > "$root/usr/local/lib/node_modules/${tool%%/*}/package.json"
  done
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"
  import node "" "ENV NODE_VERSION=24.19.0" 'CMD ["node"]'
}

build_maven() {
  new_root maven
  mkdir -p "$root/usr/share/maven/lib" "$root/usr/share/maven/conf" "$root/usr/share/maven/boot" "$root/usr/share/maven/ref"
  echo '<settings/>' > "$root/usr/share/maven/conf/settings.xml"
  # Like the real mvn: needs a Java (JAVA_HOME, or java on PATH) and its lib/ and conf/ beside bin/.
  script /usr/share/maven/bin/mvn <<'SH'
#!/bin/sh
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
  [ -x "$java" ] || { echo "The JAVA_HOME environment variable is not defined correctly, this environment variable is needed to run this program. (stand-in)" >&2; exit 1; }
else
  java="$(command -v java)" || { echo "The JAVA_HOME environment variable is not defined correctly, this environment variable is needed to run this program. (stand-in)" >&2; exit 1; }
fi
self="$(readlink -f "$0")"
home="${self%/bin/*}"
[ -d "$home/lib" ] && [ -f "$home/conf/settings.xml" ] || { echo "Error: Could not find or load main class org.codehaus.plexus.classworlds.launcher.Launcher (stand-in: no $home/lib)" >&2; exit 1; }
case "${1:-}" in
  -v|-version|--version)
    echo "Apache Maven 3.9.16 (stand-in)"
    echo "Maven home: $home"
    echo "Java: $("$java" -version 2>&1 | head -1)" ;;
  *) echo "mvn (stand-in): only -v" >&2; exit 1 ;;
esac
SH
  ln -s /usr/share/maven/bin/mvn "$root/usr/bin/mvn"
  import maven "" "ENV MAVEN_HOME=/usr/share/maven" 'CMD ["mvn"]'
}

# --- nginx -------------------------------------------------------------------------------------------------
build_nginx() {
  new_root nginx
  mkdir -p "$root/etc/nginx/conf.d" "$root/var/cache/nginx" "$root/var/log/nginx" "$root/usr/share/nginx/html"
  printf 'events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n' > "$root/etc/nginx/nginx.conf"
  printf 'server {\n    listen 80;\n    location / { root /usr/share/nginx/html; }\n}\n' > "$root/etc/nginx/conf.d/default.conf"
  echo "stand-in" > "$root/usr/share/nginx/html/index.html"
  printf 'nginx:x:101:101:nginx:/nonexistent:/bin/false\n' >> "$root/etc/passwd"
  printf 'nginx:x:101:\n' >> "$root/etc/group"
  script /usr/sbin/nginx <<'SH'
#!/bin/sh
# Stand-in for nginx: tells its version and that its files are there; it serves nothing.
case "${1:-}" in
  -v|-V) echo "nginx version: nginx/1.30.5 (stand-in)" >&2 ;;
  -t) [ -f /etc/nginx/nginx.conf ] || { echo "nginx: [emerg] open() \"/etc/nginx/nginx.conf\" failed (stand-in)" >&2; exit 1; }
      echo "nginx: configuration files present, not parsed (stand-in)" >&2 ;;
  *) echo "stand-in nginx: cannot serve ($*)" >&2; exit 1 ;;
esac
SH
  script /docker-entrypoint.sh <<'SH'
#!/bin/sh
exec "$@"
SH
  import nginx "" "EXPOSE 80" 'ENTRYPOINT ["/docker-entrypoint.sh"]' 'CMD ["nginx", "-g", "daemon off;"]'
}

for name in "${names[@]}"; do
  if ! $force && [ "$(docker image inspect -f '{{index .Config.Labels "standin.definition"}}' "standin/$name:test" 2>/dev/null || true)" = "$definition" ]; then
    echo "standin/$name:test up to date"
    continue
  fi
  "build_${name//-/_}"
done
