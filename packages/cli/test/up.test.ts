/**
 * The real platform: `wharf up --detach` starts ZooKeeper and a real runner per simulated host,
 * which start the built services (2 apis, 2 constructors, 3 allocators, 2 proxies) on free ports
 * in a temp WHARF_HOME; every process must
 * be up and healthy, the API must see the services through ZooKeeper, `wharf status` must say so,
 * and after `wharf down` every process must be gone. Needs the services built (`npm run build`):
 * without them `wharf up` fails, and so does this test.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeZooKeeper } from '@wharf/zk';
import { type TempDir, freePort, tempDir, waitFor } from '@wharf/testkit';
import { DEFAULT_IDS, alive, allPids, randomPortBase, readPlatform, runCli } from './cli-process';

jest.setTimeout(240_000);

let dir: TempDir;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('wharf-cli-real-up');
});

afterAll(async () => {
  if (env && (await readPlatform(env.WHARF_HOME!).catch(() => undefined)))
    await runCli(['down', '--timeout', '2'], env);
  await dir.cleanup();
});

describe('wharf up with the real services', () => {
  it('starts a runner per host and every service as its own healthy process, and down stops them all', async () => {
    const home = join(dir.path, 'home');
    const [zkPort, apiPort, p1, p2] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    env = {
      WHARF_HOME: home,
      WHARF_ZK: `127.0.0.1:${zkPort}`,
      WHARF_API: `http://127.0.0.1:${apiPort}`,
      WHARF_LOG_LEVEL: 'info',
    };
    const up = await runCli(
      [
        'up',
        '--detach',
        '--zk-port',
        String(zkPort),
        '--api-port',
        String(apiPort),
        '--proxy-ports',
        `${p1},${p2}`,
        '--port-base',
        String(randomPortBase()),
        '--timeout',
        '80',
      ],
      env,
    );
    if (up.code !== 0) throw new Error(`wharf up failed (${up.code})\n${up.stdout}\n${up.stderr}`);

    const key = (await readFile(join(home, 'credentials', 'api-key'), 'utf8')).trim();
    expect(key).not.toBe('');
    expect(up.stdout).toContain(`API key   ${key}`);

    const record = (await readPlatform(home))!;
    const ids = record.services.map((s) => s.id).sort();
    expect(ids).toEqual(DEFAULT_IDS);
    const pids = allPids(record);
    expect(new Set(pids).size).toBe(DEFAULT_IDS.length + 1);
    expect(up.stdout).toContain('ZooKeeper run by the director (a quorum of one)');
    for (const pid of pids) expect(alive(pid)).toBe(true);
    expect(await probeZooKeeper(`127.0.0.1:${zkPort}`, 2000)).toBe(true);
    for (const service of record.services.filter((s) => s.health_url !== undefined)) {
      const res = await fetch(service.health_url!);
      expect({ id: service.id, status: res.status }).toEqual({ id: service.id, status: 200 });
    }

    // The services found each other only through ZooKeeper; the API reports what they registered.
    const platform = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/platform`, {
          headers: { authorization: `ApiKey ${key}` },
        });
        const body = (await res.json()) as {
          allocators?: { connected?: number };
          constructors?: { leader?: string | null };
        };
        return res.status === 200 && body.allocators?.connected === 3 && body.constructors?.leader
          ? body
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: '3 connected allocators and a constructor leader' },
    );
    expect(['constructor-host-1', 'constructor-host-2']).toContain(platform.constructors!.leader);

    const status = await runCli(['status'], env);
    expect(status.stdout).toContain('Wharf is healthy.');
    expect(status.code).toBe(0);
    // The real health endpoints: the api's /api/v1/health and the proxy's /_health on their client
    // ports, the constructor's and the allocator's /health on the port they registered.
    for (const id of [
      'api-host-1',
      'constructor-host-2',
      'allocator-host-3',
      'proxy-host-2',
      'director-host-1',
    ])
      expect(status.stdout).toMatch(new RegExp(`${id}\\s+\\S+\\s+\\d+\\s+\\S+\\s+running\\s+ok\\s`));

    const down = await runCli(['down'], env);
    expect(down.code).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(await readPlatform(home)).toBeUndefined();
    expect(await probeZooKeeper(`127.0.0.1:${zkPort}`, 500)).toBe(false);
    expect((await runCli(['status'], env)).code).toBe(1);
  });
});
