#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock: installs Debian's docker.io when
# dockerd is missing (as root) and starts dockerd in the background when it is not running
# (there is no systemd here). Idempotent; safe to call from several scripts at once.
set -euo pipefail
log() { printf '[docker] %s\n' "$*" >&2; }
SOCKET=/var/run/docker.sock
# dockerd needs 2-8 s to answer on this kind of machine; 60 s leaves room for a loaded CI box.
READY_TIMEOUT_S=60
# The pid of a dockerd this script started (scripts/test.sh stops that one, and only that one).
PIDFILE=/tmp/wharf-dockerd.pid

engine_answers() { curl -sf --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1; }

if engine_answers; then exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "Docker is not installed. Run as root: apt-get update && apt-get install -y docker.io" >&2
    exit 1
  fi
  log "installing docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

# One starter at a time: concurrent callers wait on the lock, then find the engine answering.
exec 9>/tmp/wharf-dockerd.lock
flock 9
if ! engine_answers; then
  log "starting dockerd"
  mkdir -p /var/log
  # 9>&-: dockerd (and the container shims it forks) must not inherit the lock, or a shim that
  # outlives a stopped dockerd holds it and the next start waits forever.
  nohup dockerd >/var/log/wharf-dockerd.log 2>&1 9>&- &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 "$READY_TIMEOUT_S"); do
    engine_answers && break
    sleep 1
  done
fi
engine_answers || { log "dockerd did not answer within ${READY_TIMEOUT_S}s; see /var/log/wharf-dockerd.log"; exit 1; }
log "engine ready"
