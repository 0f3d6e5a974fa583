/**
 * `wharf up` / `status` / `down` as processes, with stand-in services (test/fixtures/fake-service.js
 * via --services-root) and a real embedded ZooKeeper: process layout, environment contract,
 * restart of a crashed service, clean and forced stops, and start failures that leave nothing behind.
 * test/up.test.ts runs the same flow against the real services.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { probeZooKeeper } from '@wharf/zk';
import { type TempDir, freePort, tempDir, waitFor } from '@wharf/testkit';
import {
  alive,
  allPids,
  randomPortBase,
  readPlatform,
  runCli,
  startCli,
  writeFakeServices,
} from './cli-process';

// Generous: these start JVMs and ~10 processes, and CI machines are often shared and slow.
jest.setTimeout(240_000);

interface Layout {
  home: string;
  env: Record<string, string>;
  upArgs: string[];
  zkPort: number;
  apiPort: number;
  proxyPorts: number[];
  portBase: number;
}

let dir: TempDir;
let layout: Layout;

beforeEach(async () => {
  dir = await tempDir('wharf-cli-up');
  const services = join(dir.path, 'services');
  await writeFakeServices(services);
  const [zkPort, apiPort, p1, p2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const home = join(dir.path, 'home');
  const portBase = randomPortBase();
  layout = {
    home,
    env: {
      WHARF_HOME: home,
      WHARF_ZK: `127.0.0.1:${zkPort}`,
      WHARF_SERVICES_ROOT: services,
      WHARF_API: `http://127.0.0.1:${apiPort}`,
    },
    upArgs: [
      '--api-port',
      String(apiPort),
      '--proxy-ports',
      `${p1},${p2}`,
      '--port-base',
      String(portBase),
      '--stop-timeout',
      '3',
      '--timeout',
      '80',
    ],
    zkPort,
    apiPort,
    proxyPorts: [p1!, p2!],
    portBase,
  };
});

afterEach(async () => {
  if (!layout) return;
  // Whatever a failed test left running must not outlive it.
  const record = await readPlatform(layout.home).catch(() => undefined);
  if (record) await runCli(['down', '--timeout', '1'], layout.env);
  await dir.cleanup();
});

const fakeEnv = async (id: string): Promise<Record<string, string>> =>
  (
    JSON.parse(await readFile(join(layout.home, 'fake-env', `${id}.json`), 'utf8')) as {
      env: Record<string, string>;
    }
  ).env;

describe('wharf up --detach, status, down', () => {
  it('starts ZooKeeper and 8 services as separate processes, supervises them, and stops them all', async () => {
    const up = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
    expect(up.stderr).toContain('platform ready');
    expect(up.code).toBe(0);
    const key = (await readFile(join(layout.home, 'credentials', 'api-key'), 'utf8')).trim();
    expect(up.stdout).toContain(`API key   ${key}`);
    expect(up.stdout).toContain(`API       http://127.0.0.1:${layout.apiPort}/api/v1`);
    expect(up.stdout).toContain(`http://<deployment-id>.localhost:${layout.proxyPorts[1]}`);

    const record = (await readPlatform(layout.home))!;
    expect(record.services.map((s) => s.id).sort()).toEqual(
      [
        'allocator-1',
        'allocator-2',
        'allocator-3',
        'api-1',
        'constructor-1',
        'constructor-2',
        'proxy-1',
        'proxy-2',
        'zookeeper',
      ].sort(),
    );
    expect(new Set(allPids(record)).size).toBe(10);
    for (const pid of allPids(record)) expect(alive(pid)).toBe(true);
    expect(record.services.find((s) => s.id === 'zookeeper')).toMatchObject({
      service: 'zookeeper',
      port: layout.zkPort,
    });
    expect(await probeZooKeeper(`127.0.0.1:${layout.zkPort}`, 2000)).toBe(true);

    // The environment contract of docs/coordination.md, as the services received it.
    expect(await fakeEnv('allocator-2')).toMatchObject({
      WHARF_ID: 'allocator-2',
      WHARF_ZK: `127.0.0.1:${layout.zkPort}`,
      WHARF_HOME: layout.home,
      WHARF_ZONE: 'zone-b',
      WHARF_PORT_RANGE: `${layout.portBase + 1000}-${layout.portBase + 1999}`,
      WHARF_ALLOCATOR_HOST: '127.0.0.1',
    });
    expect(await fakeEnv('proxy-2')).toMatchObject({
      WHARF_PROXY_PORT: String(layout.proxyPorts[1]),
      WHARF_ZONE: 'zone-b',
    });
    expect(await fakeEnv('api-1')).toMatchObject({
      WHARF_API_PORT: String(layout.apiPort),
      WHARF_API_HOST: '127.0.0.1',
    });

    const status = await runCli(['status'], layout.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Wharf is healthy.');
    expect(status.stdout).toMatch(/allocator-3\s+allocator\s+\d+\s+\d+\s+running\s+ok/);

    // A crashed service is restarted (back-off 1 s) and platform.json follows the new pid.
    const victim = record.services.find((s) => s.id === 'allocator-2')!;
    process.kill(victim.pid, 'SIGKILL');
    const restarted = await waitFor(
      async () => {
        const s = (await readPlatform(layout.home))!.services.find((x) => x.id === 'allocator-2')!;
        return s.pid !== victim.pid && alive(s.pid) ? s : undefined;
      },
      { timeoutMs: 30_000, message: 'allocator-2 restarted' },
    );
    expect(restarted.restarts).toBe(1);

    // A second up on the same home refuses to start.
    const again = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error WHARF_CONFLICT: a platform is already running');

    // proxy-2 ignores SIGTERM: down must still get rid of it (SIGKILL after the grace).
    await writeFile(join(layout.home, 'fake-stubborn-proxy-2'), '');
    const before = (await readPlatform(layout.home))!;
    const down = await runCli(['down'], layout.env);
    expect(down.stdout).toContain('Wharf is down.');
    expect(down.code).toBe(0);
    for (const pid of allPids(before)) expect(alive(pid)).toBe(false);
    expect(await readPlatform(layout.home)).toBeUndefined();
    expect(await probeZooKeeper(`127.0.0.1:${layout.zkPort}`, 500)).toBe(false);

    const after = await runCli(['status'], layout.env);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('Wharf is NOT healthy.');
  });

  it('runs attached until Ctrl-C, shows only where an existing key is stored, then stops everything', async () => {
    const first = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
    expect(first.code).toBe(0);
    expect((await runCli(['down'], layout.env)).code).toBe(0);

    const child = startCli(['up', ...layout.upArgs], layout.env);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitFor(() => stdout.includes('Press Ctrl-C'), {
      timeoutMs: 100_000,
      message: 'attached up ready',
    });
    expect(stdout).toContain(`API key   stored in ${join(layout.home, 'credentials', 'api-key')}`);
    const record = (await readPlatform(layout.home))!;
    expect(record.detached).toBe(false);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const pid of allPids(record)) expect(alive(pid)).toBe(false);
    expect(await readPlatform(layout.home)).toBeUndefined();
  });

  it('stops the platform when an attached wharf up is killed', async () => {
    const child = startCli(['up', ...layout.upArgs], layout.env);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.resume();
    await waitFor(() => stdout.includes('Press Ctrl-C'), {
      timeoutMs: 100_000,
      message: 'attached up ready',
    });
    const record = (await readPlatform(layout.home))!;
    child.kill('SIGKILL');
    await waitFor(() => allPids(record).every((pid) => !alive(pid)), {
      timeoutMs: 20_000,
      message: 'everything stopped',
    });
  });

  it('fails fast when a port is taken, starting nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(layout.apiPort, '127.0.0.1', resolve));
    try {
      const up = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
      expect(up.code).toBe(1);
      expect(up.stderr).toContain(`error WHARF_CONFLICT: ports already in use: ${layout.apiPort}`);
      expect(await readPlatform(layout.home)).toBeUndefined();
      expect(await probeZooKeeper(`127.0.0.1:${layout.zkPort}`, 500)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('reports services that never become healthy, with their logs, and stops everything', async () => {
    const broken = join(dir.path, 'broken.js');
    await writeFile(broken, "console.log('proxy cannot start: missing routes'); process.exit(3);\n");
    await writeFakeServices(layout.env.WHARF_SERVICES_ROOT!, { proxy: broken });
    const up = await runCli(['up', '--detach', ...layout.upArgs, '--timeout', '4'], layout.env);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('error WHARF_TIMEOUT: not healthy after 4 s: proxy-1, proxy-2');
    expect(up.stderr).toContain('| proxy cannot start: missing routes');
    expect(await readPlatform(layout.home)).toBeUndefined();
    const pids = JSON.parse(await readFile(join(layout.home, 'fake-env', 'api-1.json'), 'utf8')) as {
      pid: number;
    };
    expect(alive(pids.pid)).toBe(false);
  });

  it('uses a ZooKeeper that already answers instead of starting one', async () => {
    const first = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
    expect(first.code).toBe(0);
    const zkPid = (await readPlatform(layout.home))!.services.find((s) => s.id === 'zookeeper')!.pid;
    // A second platform in another home, pointed at the first one's ZooKeeper.
    const otherHome = join(dir.path, 'other');
    const [apiPort, p1] = [await freePort(), await freePort()];
    const env = { ...layout.env, WHARF_HOME: otherHome };
    const up = await runCli(
      [
        'up',
        '--detach',
        '--api-port',
        String(apiPort),
        '--proxy-ports',
        String(p1),
        '--allocators',
        '1',
        '--constructors',
        '1',
        '--port-base',
        String(layout.portBase + 5000),
      ],
      env,
    );
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`ZooKeeper external at 127.0.0.1:${layout.zkPort}`);
    const other = (await readPlatform(otherHome))!;
    expect(other.zookeeper.embedded).toBe(false);
    expect(other.services.map((s) => s.id)).toEqual(['api-1', 'constructor-1', 'allocator-1', 'proxy-1']);
    expect((await runCli(['down'], env)).code).toBe(0);
    expect(alive(zkPid)).toBe(true);
  });
});
