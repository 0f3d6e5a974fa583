// Checks that each workspace's tsconfig references match its @wharf workspace dependencies
// (src project: dependencies; test project: the workspace itself plus devDependencies), so
// `tsc -b` builds in the same order npm links in. Exits 1 with a list of mismatches.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const workspaces = new Map();
for (const group of ['packages', 'services']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    if (existsSync(join(dir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      workspaces.set(pkg.name, { dir, pkg });
    }
  }
}
const readJson = (f) => JSON.parse(readFileSync(f, 'utf8'));
const refsOf = (tsconfigPath) =>
  new Set((readJson(tsconfigPath).references ?? []).map((r) => resolve(join(tsconfigPath, '..'), r.path)));
const wharfDeps = (deps) => Object.keys(deps ?? {}).filter((d) => workspaces.has(d));

const problems = [];
const compare = (label, actual, expected) => {
  for (const e of expected)
    if (!actual.has(e)) problems.push(`${label}: missing reference to ${relative(root, e)}`);
  for (const a of actual)
    if (!expected.has(a)) problems.push(`${label}: extra reference to ${relative(root, a)}`);
};
for (const [name, { dir, pkg }] of workspaces) {
  const srcExpected = new Set(wharfDeps(pkg.dependencies).map((d) => workspaces.get(d).dir));
  compare(`${name} tsconfig.json`, refsOf(join(dir, 'tsconfig.json')), srcExpected);
  const testTs = join(dir, 'test', 'tsconfig.json');
  if (existsSync(testTs)) {
    const testExpected = new Set([dir, ...wharfDeps(pkg.devDependencies).map((d) => workspaces.get(d).dir)]);
    compare(`${name} test/tsconfig.json`, refsOf(testTs), testExpected);
  }
}
if (problems.length > 0) {
  console.error(`tsconfig references do not match workspace dependencies:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`tsconfig references match workspace dependencies (${workspaces.size} workspaces)`);
