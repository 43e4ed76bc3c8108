#!/usr/bin/env bash
# make images: the container images bittorrent/chord-node, bittorrent/peer and bittorrent/gateway,
# tagged with the chart's appVersion and "local".
#
#  1. a Docker engine (scripts/docker.sh start: the running one, else dockerd started in the background);
#  2. the base image: $BASE_IMAGE when given, else mcr.microsoft.com/dotnet/aspnet:10.0 when it is here or
#     can be pulled, else a local one built here (Debian bookworm minbase by debootstrap + the ASP.NET Core
#     runtime of the installed SDK, imported with docker import). LOCAL_BASE=1 skips the pull attempt.
#     The local base is built once per runtime version (skipped when its tag exists);
#  3. dotnet publish -c Release of each service into artifacts/publish/<svc>/ (skipped when no source
#     changed since the last publish);
#  4. docker build of services/<svc>/Dockerfile with the repository root as context (.dockerignore
#     lets only artifacts/publish/ and docker/ in).
# A second run with nothing changed takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/docker.sh

VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/bittorrent/Chart.yaml)
VERSION=${VERSION:-0.1.0}
OFFICIAL_BASE=mcr.microsoft.com/dotnet/aspnet:10.0
SERVICES=(chord-node:ChordNode peer:Peer gateway:Gateway)

log() { printf '%s images: %s\n' "$(date +%T)" "$*"; }

ensure_docker

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The newest ASP.NET Core 10 runtime of the installed SDK, e.g. 10.0.12.
runtime_version() {
  dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" && $2 ~ /^10\./ { print $2 }' | sort -V | tail -n 1
}

# Builds bittorrent/dotnet-base:<runtime>: debootstrap's minbase bookworm (bash, coreutils, dash as /bin/sh,
# hostname, passwd) plus the runtime's native needs (ICU, OpenSSL, libstdc++, CA certificates, tzdata)
# and /usr/share/dotnet copied from the SDK's own installation (host, hostfxr, the two shared frameworks).
build_local_base() (
  set -euo pipefail
  local tag=$1 version=$2
  if [ "$(id -u)" -ne 0 ]; then
    echo "building the local base image needs root (debootstrap); run as root, or pass BASE_IMAGE=<an aspnet:10.0 image>" >&2
    return 1
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  local dotnet_root mirror work rootfs fxr
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    [ -d "$dotnet_root/shared/$fw/$version" ] || { echo "no $fw $version under $dotnet_root/shared" >&2; return 1; }
  done
  fxr=$(ls "$dotnet_root/host/fxr" | sort -V | tail -n 1)
  # The Debian mirror apt already uses (deb.debian.org unless configured otherwise).
  mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/\{0,1\}$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
  mirror=${mirror:-http://deb.debian.org/debian}
  work=$(mktemp -d /tmp/bittorrent-base.XXXXXX)
  rootfs="$work/rootfs"
  # Clean up the temporary rootfs however we leave (this function runs in a subshell).
  trap 'rm -rf "$work"' EXIT
  log "debootstrap minbase bookworm from $mirror (log: artifacts/docker/debootstrap.log)"
  mkdir -p artifacts/docker
  debootstrap --variant=minbase \
    --include=ca-certificates,libicu72,libssl3,libstdc++6,zlib1g,tzdata \
    bookworm "$rootfs" "$mirror" >artifacts/docker/debootstrap.log 2>&1 || {
      echo "debootstrap failed; see artifacts/docker/debootstrap.log" >&2; tail -n 5 artifacts/docker/debootstrap.log >&2; return 1; }
  # Slim it: package caches, lists, docs, man pages, locales.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log \
    "$rootfs"/tmp/* "$rootfs"/root/.bash_history
  log "adding the .NET runtime $version (hostfxr $fxr) from $dotnet_root"
  mkdir -p "$rootfs/usr/share/dotnet/host/fxr" "$rootfs/usr/share/dotnet/shared"
  cp -a "$dotnet_root/dotnet" "$rootfs/usr/share/dotnet/"
  cp -a "$dotnet_root/host/fxr/$fxr" "$rootfs/usr/share/dotnet/host/fxr/"
  for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$rootfs/usr/share/dotnet/shared/$fw"
    cp -a "$dotnet_root/shared/$fw/$version" "$rootfs/usr/share/dotnet/shared/$fw/"
  done
  for f in LICENSE.txt ThirdPartyNotices.txt; do
    [ -f "$dotnet_root/$f" ] && cp -a "$dotnet_root/$f" "$rootfs/usr/share/dotnet/"
  done
  ln -sf /usr/share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
  log "docker import $tag"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV DOTNET_ROOT=/usr/share/dotnet' \
    --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    --change "ENV DOTNET_VERSION=$version" \
    --change "ENV ASPNET_VERSION=$version" \
    --change 'CMD ["/bin/bash"]' \
    --message "bookworm minbase + ASP.NET Core $version (scripts/images.sh)" \
    - "$tag" >/dev/null
)

# Picks the base image and makes sure it is here; prints its name.
resolve_base() {
  if [ -n "${BASE_IMAGE:-}" ]; then
    image_exists "$BASE_IMAGE" || docker pull -q "$BASE_IMAGE" >&2 || {
      echo "BASE_IMAGE=$BASE_IMAGE is neither here nor pullable" >&2; return 1; }
    echo "$BASE_IMAGE"; return 0
  fi
  if [ "${LOCAL_BASE:-0}" != 1 ]; then
    if image_exists "$OFFICIAL_BASE"; then echo "$OFFICIAL_BASE"; return 0; fi
    if timeout 60 docker pull -q "$OFFICIAL_BASE" >/dev/null 2>&1; then echo "$OFFICIAL_BASE"; return 0; fi
    log "cannot pull $OFFICIAL_BASE (no registry reachable): using a local base image" >&2
  fi
  local version tag
  version=$(runtime_version)
  [ -n "$version" ] || { echo "the installed .NET SDK has no ASP.NET Core 10 runtime (dotnet --list-runtimes)" >&2; return 1; }
  tag="bittorrent/dotnet-base:$version"
  if image_exists "$tag"; then
    log "local base $tag exists" >&2
  else
    local started=$SECONDS
    build_local_base "$tag" "$version" >&2
    log "built local base $tag in $((SECONDS - started)) s" >&2
  fi
  echo "$tag"
}

# Republish a service only when a source file (its own, the shared library, the build props, the OpenAPI
# document targets) is newer than its last publish.
publish() {
  local svc=$1 name=$2 out="artifacts/publish/$1" stamp="artifacts/publish/$1.stamp"
  if [ -f "$stamp" ] && [ -z "$(find "services/$svc" services/shared services/OpenApiDocument.targets Directory.Build.props Directory.Packages.props \
      \( -name bin -o -name obj \) -prune -o -type f ! -name Dockerfile -newer "$stamp" -print -quit)" ]; then
    log "$svc: publish up to date"
    return 0
  fi
  log "$svc: dotnet publish -c Release -> $out"
  rm -rf "$out"
  # Same configuration and properties as make build, so the build part of it is incremental.
  dotnet publish "services/$svc/BitTorrent.$name.csproj" -c Release -o "$out" --nologo -v q -clp:ErrorsOnly >/dev/null
  touch "$stamp"
}

started=$SECONDS
mkdir -p artifacts/docker
base=$(resolve_base)
log "base image: $base"
for entry in "${SERVICES[@]}"; do
  publish "${entry%%:*}" "${entry##*:}"
done
for entry in "${SERVICES[@]}"; do
  svc=${entry%%:*}
  log "$svc: docker build bittorrent/$svc:$VERSION (+ :local)"
  # Newer clients warn on stderr that the classic builder is deprecated: keep the output in a log.
  docker build --build-arg "BASE_IMAGE=$base" -f "services/$svc/Dockerfile" \
    -t "bittorrent/$svc:$VERSION" -t "bittorrent/$svc:local" . >"artifacts/docker/build-$svc.log" 2>&1 || {
      echo "docker build of $svc failed:" >&2; tail -n 20 "artifacts/docker/build-$svc.log" >&2; exit 1; }
done
# Rebuilt images leave their predecessors untagged: remove those of this project (and only those).
docker image prune -f --filter label=io.bittorrent.project=bittorrent >/dev/null
log "done in $((SECONDS - started)) s: $(for e in "${SERVICES[@]}"; do printf 'bittorrent/%s:%s ' "${e%%:*}" "$VERSION"; done)"
