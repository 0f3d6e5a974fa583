#!/usr/bin/env bash
# Installs what Wharf needs on a fresh Debian machine and builds it. Idempotent: each step is
# skipped when its result is already there. Used by `npm start` and `npm test`.
#   WHARF_NEED_DOCKER=1  also install the Docker engine (docker.io) and start dockerd.
#   WHARF_NEED_BROWSER=1 also install Debian's Chromium (the console's browser tests drive it).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bootstrap] %s\n' "$*" >&2; }

apt_packages=()
[ -f /usr/share/java/zookeeper.jar ] || apt_packages+=(zookeeper)
command -v etcd >/dev/null 2>&1 || apt_packages+=(etcd-server)
# etcdctl: the proxy's gRPC acceptance tests drive etcd through the proxy with the real client.
command -v etcdctl >/dev/null 2>&1 || apt_packages+=(etcd-client)
command -v java >/dev/null 2>&1 || apt_packages+=(default-jre-headless)
# javac: a TLS ZooKeeper with x509 auth loads Wharf's provider, compiled on first start (packages/zk/java).
command -v javac >/dev/null 2>&1 || apt_packages+=(default-jdk-headless)
if [ "${WHARF_NEED_DOCKER:-0}" = 1 ] && ! command -v dockerd >/dev/null 2>&1; then apt_packages+=(docker.io); fi
if [ "${WHARF_NEED_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then apt_packages+=(chromium); fi

if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${apt_packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  else
    echo "Wharf needs Debian packages that are not installed. Run as root:" >&2
    echo "  apt-get update && apt-get install -y ${apt_packages[*]}" >&2
    exit 1
  fi
fi

# promtool checks deploy/monitoring in CI and test/monitoring runs the server (Debian's
# `prometheus`). Without recommends: those are node-exporter and friends, not needed here. With
# systemd the package enables a `prometheus` service on :9090; the tests use their own port.
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian package: prometheus"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "Wharf's monitoring checks need Prometheus. Run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends prometheus" >&2
    exit 1
  fi
fi

# npm dependencies: reinstall when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: it keeps the lockfile's versions, and unlike `npm ci` it accepts
  # a lockfile without other platforms' optional binaries (registry mirrors may not carry them).
  log "installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
fi

log "building"
NX_DAEMON=false NX_NO_CLOUD=true npx lerna run build --stream --loglevel=warn >/dev/null
