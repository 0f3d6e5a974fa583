#!/usr/bin/env bash
# Checks deploy/monitoring with Debian's promtool: the alert rules, the Prometheus config (with a
# placeholder scrape token file, which `check config` insists on reading), and that every
# dashboard is valid JSON. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../deploy/monitoring"
promtool check rules alerts.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp prometheus.yml alerts.yml "$work/"
echo placeholder >"$work/scrape-token"
promtool check config "$work/prometheus.yml"
for dashboard in grafana/*.json; do
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$dashboard"
done
