/**
 * The `wharf-allocator` binary the way `wharf up` runs it: `--help`, then a real start against a
 * test ZooKeeper (advertisement, live node, /health, /metrics) and a graceful SIGTERM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { paths } from '@wharf/model';
import { freePort, useZooKeeper, waitFor, useTempDir } from '@wharf/testkit';
import { randomPortRange } from './harness';

jest.setTimeout(30_000);

const MAIN = resolve(__dirname, '..', 'dist', 'main.js');
const zkf = useZooKeeper();
const home = useTempDir('wharf-allocator-main');
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

test('--help prints the variables and exits 0', () => {
  const out = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
  expect(out.status).toBe(0);
  expect(out.stdout).toContain('WHARF_PORT_RANGE');
  expect(out.stdout).toContain('WHARF_CAPACITY_MB');
  expect(out.stdout).toContain('--runtime');
});

test.each([
  [['--runtime', 'podman'], {}, /--runtime must be one of process, docker, auto/],
  [['--runtime'], {}, /--runtime needs a value/],
  [[], { WHARF_RUNTIME: 'lxc' }, /WHARF_RUNTIME: must be one of process, docker, auto/],
  [['--bogus'], {}, /--bogus is not a known argument/],
])('a bad command line or environment (%j %j) exits 2 naming it', (args, env, message) => {
  const out = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    timeout: 10_000,
  });
  expect(out.status).toBe(2);
  expect(out.stderr).toMatch(message);
});

test('starts, registers, serves /health and /metrics, and exits 0 on SIGTERM', async () => {
  const zk = await zkf.session();
  const metricsPort = await freePort();
  const range = randomPortRange();
  child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      WHARF_ID: 'alloc-main',
      WHARF_ZONE: 'zone-b',
      WHARF_HOME: home.path,
      WHARF_ZK: zkf.connectString,
      WHARF_ZK_CHROOT: zkf.chroot,
      WHARF_PORT_RANGE: `${range.from}-${range.to}`,
      WHARF_CAPACITY_MB: '2048',
      WHARF_TAGS: 'ssd=true',
      WHARF_METRICS_PORT: String(metricsPort),
      WHARF_LOG_LEVEL: 'warn',
      // The default (auto) would pick Docker on a box whose engine runs; this test is about
      // the process runtime.
      WHARF_RUNTIME: 'process',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)));

  await waitFor(async () => (await zk.exists(paths.allocatorLive('alloc-main'))) !== null, {
    timeoutMs: 15_000,
    message: `live node (output: ${output})`,
  });
  const ad = JSON.parse((await zk.get(paths.allocator('alloc-main'))).data.toString());
  expect(ad).toMatchObject({
    zone: 'zone-b',
    capacity: { memory_mb: 2048 },
    tags: { ssd: 'true' },
    maintenance: false,
  });
  const health = await waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/health`);
    return res.status === 200 ? res.json() : undefined;
  });
  expect(health).toMatchObject({ status: 'ok' });
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(metrics).toContain('wharf_allocator_capacity_total_mb');
  expect(metrics).toContain('wharf_allocator_instances_count');

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await zk.exists(paths.allocatorLive('alloc-main'))).toBeNull();
});

test('auto falls back to processes when no engine answers, and logs why', async () => {
  const range = randomPortRange();
  child = spawn(process.execPath, [MAIN, '--runtime', 'auto'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      WHARF_ID: 'alloc-auto',
      WHARF_HOME: home.path,
      WHARF_ZK: zkf.connectString,
      WHARF_ZK_CHROOT: zkf.chroot,
      WHARF_PORT_RANGE: `${range.from}-${range.to}`,
      WHARF_CAPACITY_MB: '1024',
      WHARF_LOG_LEVEL: 'info',
      // The flag beats this; the engine address points nowhere.
      WHARF_RUNTIME: 'docker',
      DOCKER_HOST: `unix://${home.path}/no-engine.sock`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const line = await waitFor(
    async () =>
      output
        .split('\n')
        .filter((l) => l.includes('"runtime selected"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)[0],
    { timeoutMs: 15_000, message: 'the runtime selected log line' },
  );
  expect(line).toMatchObject({ runtime: 'process', requested: 'auto' });
  expect(line.reason).toMatch(/^auto: no engine answered at unix:\/\/.*no-engine\.sock/);
});
