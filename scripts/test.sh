#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, build, check, then unit,
# integration (real ZooKeeper, etcd) and end-to-end tests (real service processes).
set -euo pipefail
cd "$(dirname "$0")/.."
# The console's end-to-end tests drive a real browser: Debian's chromium, installed when missing.
export WHARF_NEED_BROWSER=1
bash scripts/bootstrap.sh

echo '== checks: tsconfig references, type check (tests included), lint, format'
node scripts/check-references.mjs
npx tsc -b tsconfig.json
npx eslint . --max-warnings=0
npx prettier --check . --log-level=warn

results=$(mktemp -d)
status=0
for project in unit integration e2e; do
  echo "== $project tests"
  extra=()
  [ "$project" = unit ] || extra=(--runInBand)
  npx jest --selectProjects "$project" --passWithNoTests "${extra[@]}" \
    --json --outputFile="$results/$project.json" || status=1
done
node -e '
  const fs = require("fs"); let passed = 0, failed = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`${passed} passed, ${failed} failed`);
' "$results"
exit $status
