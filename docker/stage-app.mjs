#!/usr/bin/env node
/**
 * Stages the built monorepo as a Docker build context for docker/service.Dockerfile: the root
 * package.json + lockfile, each workspace's package.json and the files its `files` field lists
 * (dist), and a copy of the host's node_modules pruned to production dependencies with
 * `npm prune --omit=dev --offline` (no registry needed: pruning only deletes).
 *
 *   node docker/stage-app.mjs <stage-dir>     prints the stage's input hash on stdout
 *
 * The stage is rebuilt only when its inputs (lockfile, package.json files, dist file contents,
 * this script, docker/.dockerignore) changed; the hash is kept in <stage-dir>/.stage-hash.
 * A rebuild happens in a fresh sibling directory that replaces <stage-dir> once complete, so a
 * failed or interrupted run never leaves a half stage behind (docker/build.sh also serialises
 * runs with a lock).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCKER_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(DOCKER_DIR, '..');
const WORKSPACE_ROOTS = ['packages', 'services'];
const log = (msg) => process.stderr.write(`[stage-app] ${msg}\n`);

/**
 * Workspace directories (relative to the repo) that have a package.json and are in the lockfile:
 * a workspace added since the last `npm install` would make the offline prune look it up.
 */
function workspaces() {
  const locked = JSON.parse(fs.readFileSync(join(REPO, 'package-lock.json'), 'utf8')).packages ?? {};
  const dirs = [];
  for (const rootDir of WORKSPACE_ROOTS) {
    const abs = join(REPO, rootDir);
    if (!fs.existsSync(abs)) continue;
    for (const name of fs.readdirSync(abs).sort()) {
      const ws = `${rootDir}/${name}`;
      if (!fs.existsSync(join(abs, name, 'package.json'))) continue;
      if (ws in locked) dirs.push(ws);
      else log(`${ws} is not in package-lock.json yet (run npm install); left out of the image context`);
    }
  }
  return dirs;
}

/** The paths a workspace ships: its package.json `files` field (npm's own rule), default dist. */
function shippedPaths(ws) {
  const pkg = JSON.parse(fs.readFileSync(join(REPO, ws, 'package.json'), 'utf8'));
  const files = Array.isArray(pkg.files) && pkg.files.length > 0 ? pkg.files : ['dist'];
  return files
    .map((f) => `${ws}/${f.replace(/^\.\//, '').replace(/\/$/, '')}`)
    .filter((p) => fs.existsSync(join(REPO, p)));
}

/** Build outputs that are never needed at run time. */
function keep(path) {
  return !/\.tsbuildinfo$|\.test\.(js|d\.ts)(\.map)?$|\.map$/.test(path);
}

/**
 * Content hash of what goes into the stage. Contents, not mtimes: `tsc -b` rewrites dist with
 * identical output, and files `keep` drops (tsbuildinfo, maps, tests) do not count.
 */
function hashInputs(wsList) {
  const h = createHash('sha256');
  const add = (rel) => {
    const abs = join(REPO, rel);
    const st = fs.statSync(abs);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(abs).sort()) add(`${rel}/${e}`);
    } else if (keep(rel)) {
      h.update(`${rel}\0`).update(fs.readFileSync(abs)).update('\n');
    }
  };
  h.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  for (const f of [
    'docker/.dockerignore',
    'package.json',
    'package-lock.json',
    'node_modules/.package-lock.json',
  ])
    add(f);
  for (const ws of wsList) {
    add(`${ws}/package.json`);
    for (const p of shippedPaths(ws)) add(p);
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * Copies the host's node_modules: the root one and any nested in a workspace (a version
 * conflict puts e.g. ajv in packages/model/node_modules). Everything is copied and `npm prune`
 * decides what is production: the lockfile's `dev` flags go stale as workspaces add
 * dependencies, the prune's ideal tree (from the package.json files) does not. Workspace links
 * (node_modules/@wharf/* -> ../../packages/*) are relative and copied as links.
 */
function copyModules(stageDir, wsList) {
  for (const base of ['', ...wsList]) {
    const nm = join(REPO, base, 'node_modules');
    if (!fs.existsSync(nm)) continue;
    // Entry by entry: the default stage itself lives under node_modules/.cache.
    for (const entry of fs.readdirSync(nm)) {
      if (entry === '.cache') continue;
      fs.cpSync(join(nm, entry), join(stageDir, base, 'node_modules', entry), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
  }
}

function stage(stageDir, wsList) {
  fs.rmSync(stageDir, { recursive: true, force: true });
  fs.mkdirSync(stageDir, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(join(REPO, f), join(stageDir, f));
  fs.copyFileSync(join(DOCKER_DIR, '.dockerignore'), join(stageDir, '.dockerignore'));
  for (const ws of wsList) {
    fs.mkdirSync(join(stageDir, ws), { recursive: true });
    fs.copyFileSync(join(REPO, ws, 'package.json'), join(stageDir, ws, 'package.json'));
    for (const p of shippedPaths(ws)) {
      fs.cpSync(join(REPO, p), join(stageDir, p), { recursive: true, filter: keep });
    }
  }
  copyModules(stageDir, wsList);
  execFileSync(
    'npm',
    ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    {
      cwd: stageDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  strip(join(stageDir, 'node_modules'));
}

/** Files in node_modules a running service never reads (types, docs, source maps). */
const STRIP_FILES = /\.(d\.ts|d\.mts|d\.cts|map|md|markdown|tsbuildinfo)$|^(CHANGELOG|HISTORY)(\..*)?$/i;
/** Whole directories of the same kind. */
const STRIP_DIRS = new Set(['.bin', '.github', '@types', 'typescript']);

/**
 * Removes STRIP_FILES / STRIP_DIRS from the staged node_modules. Done here rather than in
 * .dockerignore: `**` patterns make the docker client walk the context for seconds per build.
 */
function strip(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (STRIP_DIRS.has(e.name)) fs.rmSync(full, { recursive: true, force: true });
      else strip(full);
    } else if (e.isFile() && STRIP_FILES.test(e.name)) {
      fs.rmSync(full);
    }
  }
}

function main() {
  const stageDir = resolve(process.argv[2] ?? join(REPO, 'node_modules/.cache/wharf-docker/app'));
  const wsList = workspaces();
  const missing = wsList.filter(
    (ws) => ws.startsWith('services/') && !fs.existsSync(join(REPO, ws, 'dist/main.js')),
  );
  for (const ws of missing) log(`${ws} has no dist/main.js; its image cannot be built`);
  const hash = hashInputs(wsList);
  const stamp = join(stageDir, '.stage-hash');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash) {
    log(`stage up to date (${hash})`);
  } else {
    const started = Date.now();
    fs.mkdirSync(dirname(stageDir), { recursive: true });
    const fresh = fs.mkdtempSync(`${stageDir}.tmp-`);
    try {
      stage(fresh, wsList);
      fs.writeFileSync(join(fresh, '.stage-hash'), `${hash}\n`);
      fs.rmSync(stageDir, { recursive: true, force: true });
      fs.renameSync(fresh, stageDir);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
    log(`staged ${wsList.length} workspaces in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  process.stdout.write(`${hash}\n`);
}

try {
  main();
} catch (err) {
  log(`failed: ${err.stack ?? err}`);
  process.exit(1);
}
