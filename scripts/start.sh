#!/usr/bin/env bash
# `npm start`: install what is missing, build, and start the whole platform on this host
# (embedded ZooKeeper when none answers at WHARF_ZK, then every service as its own process).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node packages/cli/dist/bin.js up "$@"
