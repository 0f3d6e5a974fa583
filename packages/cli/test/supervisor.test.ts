/**
 * `wharf up` / `status` / `down` as processes: a real embedded ZooKeeper (`--directors 0`: a
 * stand-in director could not run one) and real runners (one per
 * simulated host), which start stand-in services (test/fixtures/fake-service.js via
 * --services-root). Host layout, environment contract, restart of a crashed service and runner,
 * clean and forced stops, and start failures that leave nothing behind. test/up.test.ts runs the
 * same flow against the real services.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { probeZooKeeper } from '@wharf/zk';
import { freePorts } from '@wharf/supervise';
import { type TempDir, tempDir, waitFor } from '@wharf/testkit';
import {
  NO_DIRECTOR_IDS,
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
  // Distinct: four separate picks may return the same port twice.
  const [zkPort, apiPort, p1, p2] = (await freePorts(4)) as [number, number, number, number];
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
      '--directors',
      '0',
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
    proxyPorts: [p1, p2],
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

/** The host a service id runs on (`allocator-host-2` → `host-2`). */
const hostOf = (id: string): string => id.slice(id.indexOf('-') + 1);
const fakeRecord = async (id: string): Promise<{ pid: number; env: Record<string, string> }> =>
  JSON.parse(await readFile(join(layout.home, 'hosts', hostOf(id), 'fake-env', `${id}.json`), 'utf8')) as {
    pid: number;
    env: Record<string, string>;
  };
const fakeEnv = async (id: string): Promise<Record<string, string>> => (await fakeRecord(id)).env;

/** platform.json once it lists `ids` (the services come from the runners' live nodes, polled). */
const recordListing = (ids: string[]) =>
  waitFor(
    async () => {
      const record = await readPlatform(layout.home);
      return record &&
        record.services
          .map((s) => s.id)
          .sort()
          .join() === [...ids].sort().join()
        ? record
        : undefined;
    },
    { timeoutMs: 40_000, message: `platform.json listing ${ids.join(', ')}` },
  );

describe('wharf up --detach, status, down', () => {
  it('starts ZooKeeper and a runner per host, whose services it lists, supervises them, and stops them all', async () => {
    const up = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
    expect(up.stderr).toContain('platform ready');
    expect(up.code).toBe(0);
    const key = (await readFile(join(layout.home, 'credentials', 'api-key'), 'utf8')).trim();
    expect(up.stdout).toContain(`API key   ${key}`);
    expect(up.stdout).toContain(`API       http://127.0.0.1:${layout.apiPort}/api/v1`);
    expect(up.stdout).toContain(`http://127.0.0.2:${layout.proxyPorts[1]} (Host: <deployment-id>.localhost)`);
    expect(up.stdout).toContain('host-3    127.0.0.3  zone-c  allocator');

    const record = await recordListing(NO_DIRECTOR_IDS);
    expect(new Set(allPids(record)).size).toBe(NO_DIRECTOR_IDS.length + 1);
    expect(up.stdout).toContain('ZooKeeper run by wharf up itself: no director (--directors 0)');
    for (const pid of allPids(record)) expect(alive(pid)).toBe(true);
    expect(record.services.find((s) => s.id === 'zookeeper')).toMatchObject({
      service: 'zookeeper',
      port: layout.zkPort,
    });
    expect(record.services.find((s) => s.id === 'runner-host-2')).toMatchObject({
      service: 'runner',
      host: 'host-2',
      address: '127.0.0.2',
      zone: 'zone-b',
    });
    expect(await probeZooKeeper(`127.0.0.1:${layout.zkPort}`, 2000)).toBe(true);

    // The environment contract of docs/coordination.md, as the runners passed it on.
    expect(await fakeEnv('allocator-host-2')).toMatchObject({
      WHARF_ID: 'allocator-host-2',
      WHARF_ZK: `127.0.0.1:${layout.zkPort}`,
      WHARF_HOME: join(layout.home, 'hosts', 'host-2'),
      WHARF_ZONE: 'zone-b',
      WHARF_PORT_RANGE: `${layout.portBase + 1000}-${layout.portBase + 1999}`,
      WHARF_ALLOCATOR_HOST: '127.0.0.2',
      WHARF_RUNTIME: 'process',
      WHARF_STOP_INSTANCES: 'true',
    });
    expect(await fakeEnv('proxy-host-2')).toMatchObject({
      WHARF_PROXY_PORT: String(layout.proxyPorts[1]),
      WHARF_PROXY_HOST: '127.0.0.2',
      WHARF_ZONE: 'zone-b',
    });
    expect(await fakeEnv('api-host-1')).toMatchObject({
      WHARF_API_PORT: String(layout.apiPort),
      WHARF_API_HOST: '127.0.0.1',
    });

    const status = await runCli(['status'], layout.env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Wharf is healthy.');
    expect(status.stdout).toMatch(/runner-host-3\s+runner\s+\d+\s+\d+\s+running\s+ok/);
    // Every service's own health endpoint answered: the api's and the proxy's on their client
    // ports, the constructor's and the allocator's on the port they registered.
    for (const id of ['api-host-1', 'constructor-host-2', 'allocator-host-3', 'proxy-host-2'])
      expect(status.stdout).toMatch(new RegExp(`${id}\\s+\\S+\\s+\\d+\\s+\\S+\\s+running\\s+ok\\s`));

    // A crashed service is restarted by its runner, and platform.json follows the new pid.
    const victim = record.services.find((s) => s.id === 'allocator-host-2')!;
    process.kill(victim.pid, 'SIGKILL');
    const restarted = await waitFor(
      async () => {
        const s = (await readPlatform(layout.home))!.services.find((x) => x.id === 'allocator-host-2');
        return s && s.pid !== victim.pid && alive(s.pid) ? s : undefined;
      },
      { timeoutMs: 30_000, message: 'allocator-host-2 restarted' },
    );
    expect(restarted.restarts).toBe(1);

    // A crashed runner is restarted by wharf up; the new runner replaces what the old one left.
    const runner = record.services.find((s) => s.id === 'runner-host-3')!;
    const orphan = record.services.find((s) => s.id === 'allocator-host-3')!;
    process.kill(runner.pid, 'SIGKILL');
    await waitFor(
      async () => {
        const now = (await readPlatform(layout.home))!.services;
        const r = now.find((x) => x.id === 'runner-host-3');
        const a = now.find((x) => x.id === 'allocator-host-3');
        return r && a && r.pid !== runner.pid && a.pid !== orphan.pid && alive(a.pid) ? true : undefined;
      },
      { timeoutMs: 60_000, message: 'runner-host-3 and its allocator replaced' },
    );
    expect(alive(orphan.pid)).toBe(false);

    // A second up on the same home refuses to start.
    const again = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error WHARF_CONFLICT: a platform is already running');

    // proxy-host-2 ignores SIGTERM: down must still get rid of it (SIGKILL after the grace).
    await writeFile(join(layout.home, 'hosts', 'host-2', 'fake-stubborn-proxy-host-2'), '');
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
    const record = await recordListing(NO_DIRECTOR_IDS);
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
    const record = await recordListing(NO_DIRECTOR_IDS);
    child.kill('SIGKILL');
    // The supervisor sees its parent go and stops the runners (each its services), then ZooKeeper.
    await waitFor(() => allPids(record).every((pid) => !alive(pid)), {
      timeoutMs: 45_000,
      message: 'everything stopped',
    });
  });

  it('fails fast when a port is taken, starting nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(layout.apiPort, '127.0.0.1', resolve));
    try {
      const up = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
      expect(up.code).toBe(1);
      expect(up.stderr).toContain(`error WHARF_CONFLICT: ports already in use: 127.0.0.1:${layout.apiPort}`);
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
    // 15 s: long enough for the runners to have started (and logged) the broken proxies even on a
    // loaded 2-core box; with 4 s CI once saw the runners healthy but no service launched yet.
    const up = await runCli(['up', '--detach', ...layout.upArgs, '--timeout', '15'], layout.env);
    expect(up.code).toBe(1);
    // The broken proxies are always listed; on a loaded 2-core box a healthy service (the api) may
    // miss the window too (issue 9), so the list is checked for them, not for equality.
    const listed = /error WHARF_TIMEOUT: not healthy after 15 s: ([^\n]+)/.exec(up.stderr)?.[1]?.split(', ');
    expect(listed).toEqual(expect.arrayContaining(['proxy-host-1', 'proxy-host-2']));
    expect(up.stderr).toContain('| proxy cannot start: missing routes');
    expect(await readPlatform(layout.home)).toBeUndefined();
    expect(alive((await fakeRecord('api-host-1')).pid)).toBe(false);
  });

  it('uses a ZooKeeper that already answers instead of starting one', async () => {
    const first = await runCli(['up', '--detach', ...layout.upArgs], layout.env);
    expect(first.code).toBe(0);
    const zkPid = (await readPlatform(layout.home))!.services.find((s) => s.id === 'zookeeper')!.pid;
    // A second platform in another home, pointed at the first one's ZooKeeper.
    const otherHome = join(dir.path, 'other');
    const [apiPort, p1] = (await freePorts(2, [layout.apiPort, ...layout.proxyPorts])) as [number, number];
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
        '--host-prefix',
        'other-',
        // As the first platform's: the default readiness window is too short on a loaded CI box.
        '--timeout',
        '80',
      ],
      env,
    );
    // The whole result, so a failure shows why the second platform did not come up.
    expect({ code: up.code, stderr: up.stderr }).toMatchObject({ code: 0 });
    expect(up.stdout).toContain(`ZooKeeper external at 127.0.0.1:${layout.zkPort}`);
    const other = (await readPlatform(otherHome))!;
    expect(other.zookeeper.embedded).toBe(false);
    expect(other.services.map((s) => s.id)).toEqual([
      'runner-other-host-1',
      'director-other-host-1',
      'api-other-host-1',
      'constructor-other-host-1',
      'allocator-other-host-1',
      'proxy-other-host-1',
    ]);
    expect((await runCli(['down'], env)).code).toBe(0);
    expect(alive(zkPid)).toBe(true);
  });
});
