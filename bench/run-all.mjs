#!/usr/bin/env node
// Runs every benchmark in turn (`npm run bench`); each prints its own figures.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const here = import.meta.dirname;
for (const script of ['proxy.mjs', 'plan-to-routable.mjs']) {
  console.log(`\n=== ${script}`);
  const { status } = spawnSync(process.execPath, [resolve(here, script), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}
