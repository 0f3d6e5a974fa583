#!/usr/bin/env node
/**
 * Builds Wharf's offline base images from the host's own files, for machines with no container
 * registry: each recipe assembles a minimal root filesystem (a binary, the libraries `ldd` lists,
 * the dynamic loader, /etc/passwd with a non-root `wharf` user) and pipes a tar of it into
 * `docker import`. Every external command runs from an argv array, never through a shell.
 *
 *   node docker/offline/make-base.mjs [--force] [node-base] [etcd] [zookeeper] [haproxy]
 *
 * An image is skipped when its `wharf.inputs-hash` label equals the hash of its inputs (path, size
 * and mtime of every copied file, plus this script), so a warm run costs a few `docker inspect`s.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WHARF_GID, WHARF_UID, recipes } from './recipes.mjs';

const SELF_DIR = dirname(fileURLToPath(import.meta.url));
const log = (msg) => process.stderr.write(`[make-base] ${msg}\n`);

/** Runs a command (argv array) and returns its trimmed stdout. */
function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }).trim();
}

/** Shared libraries a dynamically linked ELF file needs, as absolute paths (loader included). */
export function lddLibraries(file) {
  let out;
  try {
    out = run('ldd', [file]);
  } catch (err) {
    // Static binaries make ldd exit 1 with "not a dynamic executable".
    if (String(err.stderr ?? '').includes('not a dynamic executable')) return [];
    throw err;
  }
  const libs = [];
  for (const line of out.split('\n')) {
    const arrow = line.match(/=>\s*(\/\S+)/);
    const bare = line.trim().match(/^(\/\S+)\s/);
    if (arrow) libs.push(arrow[1]);
    else if (bare) libs.push(bare[1]);
    else if (line.includes('not found')) throw new Error(`ldd ${file}: ${line.trim()}`);
  }
  return libs;
}

/** A root filesystem under construction; every file copied is recorded for the input hash. */
class RootFs {
  constructor(dir) {
    this.dir = dir;
    this.inputs = new Map();
    this.deferred = [];
  }

  /** Records an expensive step's inputs now and runs it only if the image must be rebuilt. */
  later(key, description, fn) {
    this.inputs.set(key, description);
    this.deferred.push(fn);
  }

  async runDeferred() {
    for (const fn of this.deferred) await fn();
  }

  path(p) {
    return join(this.dir, p);
  }

  /** Copies host file `src` (symlinks followed) to `dest` in the image, keeping its mode. */
  copyFile(src, dest = src) {
    const real = fs.realpathSync(src);
    const st = fs.statSync(real);
    const target = this.path(dest);
    fs.mkdirSync(dirname(target), { recursive: true });
    fs.copyFileSync(real, target);
    fs.chmodSync(target, st.mode & 0o7777);
    this.inputs.set(dest, `${real}:${st.size}:${Math.trunc(st.mtimeMs)}`);
  }

  /** Copies an ELF binary and everything `ldd` says it loads, each at the path ldd prints. */
  copyBinary(src, dest = src) {
    this.copyFile(src, dest);
    for (const lib of lddLibraries(src)) this.copyFile(lib);
  }

  /** Copies a directory tree as-is (symlinks kept) and records its files. */
  copyTree(src, dest) {
    fs.cpSync(src, this.path(dest), { recursive: true, verbatimSymlinks: true });
    for (const entry of fs.readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = join(entry.parentPath ?? entry.path, entry.name);
      const st = fs.statSync(full);
      this.inputs.set(`${dest}/${full.slice(src.length)}`, `${st.size}:${Math.trunc(st.mtimeMs)}`);
    }
  }

  writeFile(dest, content, mode = 0o644) {
    const target = this.path(dest);
    fs.mkdirSync(dirname(target), { recursive: true });
    fs.writeFileSync(target, content, { mode });
    fs.chmodSync(target, mode);
    this.inputs.set(dest, createHash('sha256').update(content).digest('hex'));
  }

  mkdir(dest, mode = 0o755, uid = 0, gid = 0) {
    const target = this.path(dest);
    fs.mkdirSync(target, { recursive: true });
    fs.chmodSync(target, mode);
    fs.chownSync(target, uid, gid);
    this.inputs.set(`${dest}/`, `${mode}:${uid}:${gid}`);
  }

  symlink(target, dest) {
    fs.mkdirSync(dirname(this.path(dest)), { recursive: true });
    fs.symlinkSync(target, this.path(dest));
    this.inputs.set(dest, `-> ${target}`);
  }

  /** The skeleton every image shares: a non-root user, a sticky /tmp, the loader's search path. */
  skeleton() {
    this.writeFile(
      '/etc/passwd',
      `root:x:0:0:root:/root:/sbin/nologin\nwharf:x:${WHARF_UID}:${WHARF_GID}:wharf:/home/wharf:/sbin/nologin\n`,
    );
    this.writeFile('/etc/group', `root:x:0:\nwharf:x:${WHARF_GID}:\n`);
    this.writeFile('/etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n');
    this.mkdir('/tmp', 0o1777);
    this.mkdir('/root', 0o700);
    this.mkdir('/home/wharf', 0o755, WHARF_UID, WHARF_GID);
    if (fs.existsSync('/etc/ssl/certs/ca-certificates.crt'))
      this.copyFile('/etc/ssl/certs/ca-certificates.crt');
  }

  /** Hash of every input plus the recipe scripts: the image is rebuilt when it changes. */
  hash(recipe) {
    const h = createHash('sha256');
    for (const f of ['make-base.mjs', 'recipes.mjs']) h.update(fs.readFileSync(join(SELF_DIR, f)));
    h.update(JSON.stringify(recipe.changes));
    for (const [k, v] of [...this.inputs].sort(([a], [b]) => a.localeCompare(b))) h.update(`${k}\0${v}\n`);
    return h.digest('hex').slice(0, 32);
  }
}

/** The `wharf.inputs-hash` label of an existing image, or null when there is no such image. */
function imageHash(tag) {
  try {
    return run('docker', [
      'image',
      'inspect',
      '--format',
      '{{index .Config.Labels "wharf.inputs-hash"}}',
      tag,
    ]);
  } catch {
    return null;
  }
}

/** Streams `tar` of the root filesystem into `docker import`, with Dockerfile-style changes. */
function importImage(dir, tag, changes) {
  const importArgs = ['import'];
  for (const change of changes) importArgs.push('--change', change);
  importArgs.push('-', tag);
  return new Promise((resolvePromise, reject) => {
    const tar = spawn('tar', ['--numeric-owner', '-C', dir, '-cf', '-', '.'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const imp = spawn('docker', importArgs, { stdio: ['pipe', 'ignore', 'inherit'] });
    tar.stdout.pipe(imp.stdin);
    let tarCode = null;
    tar.on('close', (code) => (tarCode = code));
    tar.on('error', reject);
    imp.on('error', reject);
    imp.on('close', (code) => {
      if (code === 0 && tarCode === 0) resolvePromise();
      else reject(new Error(`docker import ${tag} failed (tar ${tarCode}, import ${code})`));
    });
  });
}

async function buildOne(name, recipe, force) {
  const started = Date.now();
  const dir = fs.mkdtempSync(join(tmpdir(), `wharf-rootfs-${name}-`));
  try {
    const root = new RootFs(dir);
    root.skeleton();
    await recipe.assemble(root, { run, log });
    const hash = root.hash(recipe);
    if (!force && imageHash(recipe.tag) === hash) {
      log(`${recipe.tag} up to date (inputs ${hash}), skipped`);
      return;
    }
    await root.runDeferred();
    const changes = [
      ...recipe.changes,
      `LABEL wharf.inputs-hash=${hash}`,
      'LABEL org.opencontainers.image.vendor=wharf',
    ];
    await importImage(dir, recipe.tag, changes);
    log(`${recipe.tag} imported in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  const selected = names.length > 0 ? names : Object.keys(recipes).filter((n) => recipes[n].default);
  for (const name of selected) {
    const recipe = recipes[name];
    if (!recipe)
      throw new Error(
        `unknown base image ${JSON.stringify(name)}; known: ${Object.keys(recipes).join(', ')}`,
      );
    await buildOne(name, recipe, force);
  }
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    log(`failed: ${err.stack ?? err}`);
    process.exit(1);
  });
}
