/**
 * A newcomer's path, README in hand: a fresh `git clone` of this repository (its committed HEAD),
 * `npm install`, `npm start -- --detach` on free ports, `npx wharf status`, then the README's own
 * curl commands — the blocks between its `<!-- newcomer-test: <name> -->` markers — to create an
 * etcd deployment, wait for its plan, write and read a key through the proxy and delete it;
 * finally `npx wharf down`, after which nothing of the clone is left running.
 *
 * Only the README-level interface is used (npm scripts, `npx wharf`, curl), so the CLI's insides
 * may change freely. The commands' default ports are rewritten to free ones (a README edit that
 * drops one of them fails here rather than silently testing something else).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { freePort, tempDir, type TempDir } from '@wharf/testkit';

const ROOT = resolve(__dirname, '..');
/** `npm install` of the whole tree from the npm cache on a loaded 2-core machine. */
const INSTALL_TIMEOUT_MS = 6 * 60_000;
/** The clone's first `npm start`: build every workspace (about 2 min), then boot (about 20 s). */
const START_TIMEOUT_MS = 8 * 60_000;
/** The README's commands: create, a plan of about 20 s, put/get, delete. */
const README_TIMEOUT_MS = 150_000;
/** `wharf status` / `wharf down` (down waits up to its stop timeout per service). */
const CLI_TIMEOUT_MS = 60_000;
/** The README's default ports, rewritten in its commands. */
const README_API = '127.0.0.1:12400';
const README_PROXY = 'localhost:9200';
/** The README blocks the test runs, in this order. */
const BLOCKS = ['create', 'wait', 'put-get', 'delete'] as const;

jest.setTimeout(INSTALL_TIMEOUT_MS + START_TIMEOUT_MS + README_TIMEOUT_MS + 3 * CLI_TIMEOUT_MS);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell) in the clone; resolves with its exit code and output, never rejects. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { cwd: clone.path, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The README's shell blocks by marker name. */
function readmeBlocks(readme: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const marked = /<!-- newcomer-test: ([\w-]+) -->\s*```sh\n([\s\S]*?)```\s*<!-- \/newcomer-test -->/g;
  for (const [, name, body] of readme.matchAll(marked)) blocks.set(name!, body!);
  return blocks;
}

/** Pids of processes whose command line or working directory is inside `dir`. */
function processesIn(dir: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // another user's process, or gone
      }
      if (cmd.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`))
        found.push({ pid: Number(entry), cmd });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** True when something accepts a TCP connection on `host`:`port`. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** How long each phase took (printed at the end: the README quotes these durations). */
const timings: [string, number][] = [];
async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings.push([phase, (Date.now() - started) / 1000]);
  }
}

let clone: TempDir;
let env: NodeJS.ProcessEnv;
let ports: { api: number; proxies: number[]; zk: number };

beforeAll(async () => {
  clone = await tempDir('wharf-newcomer');
  ports = { api: await freePort(), proxies: [await freePort(), await freePort()], zk: await freePort() };
  // Instance ports: a random block below Linux's ephemeral range, where freePort's come from.
  const portBase = 10_000 + Math.floor(Math.random() * 150) * 100;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHARF_')));
  env = {
    ...inherited,
    WHARF_ZK: `127.0.0.1:${ports.zk}`,
    WHARF_ZK_PORT: String(ports.zk),
    WHARF_API_PORT: String(ports.api),
    WHARF_PROXY_PORTS: ports.proxies.join(','),
    WHARF_PORT_BASE: String(portBase),
    WHARF_PORTS_PER_ALLOCATOR: '100',
    WHARF_API: `http://127.0.0.1:${ports.api}`,
  };
});

afterAll(async () => {
  process.stderr.write(
    `newcomer phases (s): ${timings.map(([p, s]) => `${p} ${s.toFixed(1)}`).join(', ')}\n`,
  );
  if (!clone) return;
  // A failed run may leave the platform up: stop it the user's way, then whatever is still ours.
  if (existsSync(join(clone.path, '.wharf'))) await run('npx', ['wharf', 'down'], env, CLI_TIMEOUT_MS);
  for (const { pid } of processesIn(clone.path)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await clone.cleanup();
});

test('fresh clone → npm install → npm start --detach → README commands → wharf down, nothing left', async () => {
  const cloned = await timed('clone', () =>
    run('git', ['clone', '--quiet', ROOT, clone.path], env, CLI_TIMEOUT_MS),
  );
  expect(cloned).toMatchObject({ code: 0 });

  const install = await timed('npm install', () =>
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], env, INSTALL_TIMEOUT_MS),
  );
  expect({ code: install.code, stderr: install.stderr.slice(-2000) }).toMatchObject({ code: 0 });
  // The first install links the `wharf` bin (the committed shim), before anything is built.
  expect(existsSync(join(clone.path, 'node_modules', '.bin', 'wharf'))).toBe(true);

  const start = await timed('first npm start', () =>
    run('npm', ['start', '--', '--detach'], env, START_TIMEOUT_MS),
  );
  expect({ code: start.code, out: (start.stdout + start.stderr).slice(-3000) }).toMatchObject({ code: 0 });

  const status = await timed('wharf status', () => run('npx', ['wharf', 'status'], env, CLI_TIMEOUT_MS));
  expect({ code: status.code, stderr: status.stderr }).toMatchObject({ code: 0 });
  expect(status.stdout).toMatch(/api/);
  expect(status.stdout).toMatch(/proxy/);

  const blocks = readmeBlocks(readFileSync(join(clone.path, 'README.md'), 'utf8'));
  const script = BLOCKS.map((name) => {
    const body = blocks.get(name);
    if (body === undefined) throw new Error(`README has no <!-- newcomer-test: ${name} --> block`);
    return `echo '--- ${name}'\n${body}`;
  }).join('\n');
  expect(script).toContain(README_API);
  expect(script).toContain(README_PROXY);
  const local = script
    .replaceAll(README_API, `127.0.0.1:${ports.api}`)
    .replaceAll(README_PROXY, `localhost:${ports.proxies[0]}`);
  const ran = await timed('README commands', () => run('bash', ['-e', '-c', local], env, README_TIMEOUT_MS));
  const out = ran.stdout;
  expect({ code: ran.code, out, stderr: ran.stderr }).toMatchObject({ code: 0 });
  const section = (name: string) => out.split(`--- ${name}\n`)[1]?.split('\n--- ')[0] ?? '';
  expect(section('create').trim()).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  expect(section('wait').trim().split('\n').at(-1)).toBe('success');
  // range answers the value written by put ("hello", base64).
  expect(section('put-get')).toContain('"value":"aGVsbG8="');
  expect(section('delete')).not.toMatch(/"error"/);

  const down = await timed('wharf down', () => run('npx', ['wharf', 'down'], env, CLI_TIMEOUT_MS));
  expect({ code: down.code, stderr: down.stderr }).toMatchObject({ code: 0 });
  expect(processesIn(clone.path)).toEqual([]);
  // api on hosts 1 and 2, proxy n on host n's address, ZooKeeper on host 1's.
  const endpoints: [string, number][] = [
    ['127.0.0.1', ports.api],
    ['127.0.0.2', ports.api],
    ['127.0.0.1', ports.proxies[0]!],
    ['127.0.0.2', ports.proxies[1]!],
    ['127.0.0.1', ports.zk],
  ];
  for (const [host, port] of endpoints)
    expect({ host, port, up: await listening(host, port) }).toEqual({ host, port, up: false });
});
