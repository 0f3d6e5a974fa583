#!/usr/bin/env bash
# Builds every Wharf image, offline: the base images assembled from host files
# (docker/offline/make-base.mjs) and one image per service (docker/service.Dockerfile).
# An image whose inputs did not change (label wharf.inputs-hash) is skipped, so a warm run
# takes a few seconds. Exits non-zero on any failure.
#
#   bash docker/build.sh                      everything
#   bash docker/build.sh --only api,etcd      a subset (repeatable); names below
#   bash docker/build.sh --base-image node:20-bookworm-slim
#                                             services FROM a registry image instead of
#                                             wharf/node-base:20 (machines with a registry)
#   bash docker/build.sh --force              rebuild even when inputs are unchanged
#
# Names: node-base etcd zookeeper haproxy (haproxy is copied from Debian's package, installed when missing
# or when named), and api constructor allocator proxy runner (each only when built).
#
# Concurrent runs take turns (flock on $WHARF_DOCKER_BUILD_LOCK, default /tmp/wharf-docker-build.lock:
# tags are engine-wide), and a run removes the images it left untagged.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[docker/build] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

OFFLINE_NODE_BASE=wharf/node-base:20
BASE_IMAGE="${BASE_IMAGE:-$OFFLINE_NODE_BASE}"
STAGE_DIR="${WHARF_DOCKER_STAGE:-node_modules/.cache/wharf-docker/app}"
ONLY=()
FORCE=0

while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || die "--only needs a name"; IFS=, read -r -a names <<<"$2"; ONLY+=("${names[@]}"); shift 2 ;;
    --only=*) IFS=, read -r -a names <<<"${1#--only=}"; ONLY+=("${names[@]}"); shift ;;
    --base-image) [ $# -ge 2 ] || die "--base-image needs an image"; BASE_IMAGE="$2"; shift 2 ;;
    --base-image=*) BASE_IMAGE="${1#--base-image=}"; shift ;;
    --force) FORCE=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

started_ns=$(date +%s%N)
VERSION=$(node -p 'require("./package.json").version')

# Was <name> asked for? With no --only, everything (the caller decides defaults).
wanted() {
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local n
  for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}
explicit() { [ ${#ONLY[@]} -gt 0 ] && wanted "$1"; }

# The legacy builder's deprecation banner, on every build: noise here.
quiet_builder() { grep -v -e 'legacy builder is deprecated' -e 'buildx component' -e 'docs.docker.com/go/buildx' -e '^ *$' || true; }

mb() { docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1000000 }'; }

# --- what to build ---------------------------------------------------------------------------
known_services=()
for dir in services/*/; do
  svc=$(basename "$dir")
  [ -f "services/$svc/package.json" ] && known_services+=("$svc")
done
for n in "${ONLY[@]}"; do
  case " node-base etcd zookeeper haproxy ${known_services[*]} " in
    *" $n "*) ;;
    *) die "unknown image name: $n" ;;
  esac
done

services=()
for svc in "${known_services[@]}"; do wanted "$svc" && services+=("$svc"); done

bases=()
if [ ${#services[@]} -gt 0 ] && [ "$BASE_IMAGE" = "$OFFLINE_NODE_BASE" ]; then bases+=(node-base)
elif wanted node-base && [ ${#ONLY[@]} -gt 0 ]; then bases+=(node-base)
elif [ ${#ONLY[@]} -eq 0 ] && [ "$BASE_IMAGE" = "$OFFLINE_NODE_BASE" ]; then bases+=(node-base); fi
wanted etcd && bases+=(etcd)
wanted zookeeper && bases+=(zookeeper)
wanted haproxy && bases+=(haproxy)

# --- engine, one run at a time, host packages the offline images copy from, repo build -----------
bash scripts/ensure-docker.sh

# Tags, the staged context and the repo build are shared by every run against this engine: two
# at once clash (a stage deleted under the other's copy, a tag moved twice, each leaving an
# untagged image). Taken after ensure-docker.sh, so a dockerd it starts does not inherit the lock.
LOCK_FILE="${WHARF_DOCKER_BUILD_LOCK:-/tmp/wharf-docker-build.lock}"
# World-writable and opened read-only (flock needs no more), so root and users share one lock.
[ -e "$LOCK_FILE" ] || (umask 000 && : >>"$LOCK_FILE") 2>/dev/null || true
exec 8<"$LOCK_FILE" || die "cannot open the build lock $LOCK_FILE"
if ! flock -n 8; then
  log "waiting for another docker/build.sh run (lock $LOCK_FILE)"
  flock 8
fi

# Image ids of the wharf/* tags now: an id none of them points to after the run was replaced.
wharf_tags() { docker images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' 'wharf/*' | sort; }
tags_before=$(wharf_tags)
if [[ " ${bases[*]} " == *" haproxy "* ]] && [ ! -x /usr/sbin/haproxy ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[build] installing Debian's haproxy (the wharf/haproxy image is assembled from it)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  else
    echo "wharf/haproxy needs Debian's haproxy on this host. Run as root: apt-get install -y haproxy" >&2
    exit 1
  fi
fi

if [ ${#services[@]} -gt 0 ]; then
  # A service added since the last `npm install` (not in the lockfile) cannot be staged yet:
  # it does not trigger a build, and gets no image unless named with --only (then: an error).
  need_build=0
  for svc in "${services[@]}"; do
    if [ ! -f "services/$svc/dist/main.js" ] && grep -q "\"services/$svc\": {" package-lock.json; then need_build=1; fi
  done
  if [ "$need_build" = 1 ]; then
    log "building the repo (a service has no dist/main.js)"
    npx tsc -b tsconfig.json
  fi
  built=()
  for svc in "${services[@]}"; do
    if [ -f "services/$svc/dist/main.js" ]; then built+=("$svc")
    elif explicit "$svc"; then die "services/$svc has no dist/main.js after the build"
    else log "services/$svc is not built yet; no image for it"; fi
  done
  services=("${built[@]}")
fi

# --- base images -------------------------------------------------------------------------------
force_args=()
[ "$FORCE" = 1 ] && force_args+=(--force)
if [ ${#bases[@]} -gt 0 ]; then
  node docker/offline/make-base.mjs "${force_args[@]}" "${bases[@]}"
fi

# --- service images ----------------------------------------------------------------------------
if [ ${#services[@]} -gt 0 ]; then
  stage_hash=$(node docker/stage-app.mjs "$STAGE_DIR")
  base_id=$(docker image inspect --format '{{.Id}}' "$BASE_IMAGE" 2>/dev/null) \
    || die "base image $BASE_IMAGE is missing (offline: node docker/offline/make-base.mjs node-base)"
  dockerfile_hash=$(sha256sum docker/service.Dockerfile | cut -c1-32)
  app_hash=$(printf '%s\n' "$stage_hash" "$dockerfile_hash" "$base_id" | sha256sum | cut -c1-32)
  app_image="wharf/app-stage:$app_hash"
  # The staged context goes to the engine once, as stage 1 (`--target app`); each service build
  # then starts from that image with an empty context (seconds saved per service).
  if ! docker image inspect "$app_image" >/dev/null 2>&1 || [ "$FORCE" = 1 ]; then
    t0=$(date +%s%N)
    docker build --quiet -f docker/service.Dockerfile --target app \
      --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$app_image" "$STAGE_DIR" >/dev/null 2> >(quiet_builder >&2)
    log "$app_image built in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  fi
  empty_context=$(mktemp -d)
  trap 'rm -rf "$empty_context"' EXIT
  for svc in "${services[@]}"; do
    [ -f "$STAGE_DIR/services/$svc/package.json" ] \
      || die "services/$svc is not in the staged context (is it in package-lock.json? run npm install)"
    tag="wharf/$svc:$VERSION"
    inputs=$(printf '%s\n' "$app_hash" "$svc" "$VERSION" | sha256sum | cut -c1-32)
    current=$(docker image inspect --format '{{index .Config.Labels "wharf.inputs-hash"}}' "$tag" 2>/dev/null || true)
    if [ "$FORCE" = 0 ] && [ "$current" = "$inputs" ]; then
      log "$tag up to date (inputs $inputs), skipped"
    else
      t0=$(date +%s%N)
      docker build --quiet \
        -f docker/service.Dockerfile \
        --build-arg "BASE_IMAGE=$BASE_IMAGE" \
        --build-arg "APP_IMAGE=$app_image" \
        --build-arg "SERVICE=$svc" \
        --build-arg "VERSION=$VERSION" \
        --label "wharf.inputs-hash=$inputs" \
        -t "$tag" "$empty_context" >/dev/null 2> >(quiet_builder >&2)
      log "$tag built in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    fi
    docker tag "$tag" "wharf/$svc:latest"
  done
  # Older stage-1 images are only build cache; the service images keep their layers.
  for old in $(docker images --format '{{.Repository}}:{{.Tag}}' wharf/app-stage); do
    [ "$old" = "$app_image" ] || docker rmi "$old" >/dev/null 2>&1 || true
  done
fi

# --- images this run replaced --------------------------------------------------------------------
# Each rebuilt tag (and :latest, and a forced stage-1 image) leaves its previous image untagged:
# remove those, and what their removal leaves (untagged parents). An image still used by a
# container stays; the label-filtered prune catches it on a later run. Only Wharf's images (both
# labels are set by make-base.mjs and service.Dockerfile on every image they make) are touched.
tags_after=$(wharf_tags)
if [ "$tags_after" != "$tags_before" ]; then
  removed=0
  while read -r id; do
    [ -n "$id" ] || continue
    grep -q " $id\$" <<<"$tags_after" && continue
    docker rmi "$id" >/dev/null 2>&1 && removed=$((removed + 1))
  done < <(awk '{ print $2 }' <<<"$tags_before" | sort -u)
  docker image prune -f --filter 'label=org.opencontainers.image.vendor=wharf' --filter 'label=wharf.inputs-hash' >/dev/null \
    || log "could not prune untagged wharf images"
  log "removed $removed replaced image(s)"
fi

# --- summary -----------------------------------------------------------------------------------
for b in "${bases[@]}"; do
  case "$b" in
    node-base) tag=$OFFLINE_NODE_BASE ;; etcd) tag=wharf/etcd:3.4 ;;
    zookeeper) tag=wharf/zookeeper:3.8 ;; haproxy) tag=wharf/haproxy:2.6 ;;
  esac
  printf '%-28s %s\n' "$tag" "$(mb "$tag")"
done
for svc in "${services[@]}"; do printf '%-28s %s\n' "wharf/$svc:$VERSION" "$(mb "wharf/$svc:$VERSION")"; done
log "done in $(( ($(date +%s%N) - started_ns) / 1000000 )) ms"
