/**
 * End to end in Docker mode: `wharf up --mode docker` starts ZooKeeper and a runner for each of 3
 * simulated hosts, which run every platform service as a `wharf/<svc>:0.1.0` container; the
 * allocators run a 3-zone etcd deployment as containers through the engine socket; a 4th host (a
 * runner container) joins, then host-3 dies (runner frozen, containers killed) and its member is
 * re-placed there with no manual step (the host-loss figure in Docker mode). Needs a Docker engine and the images:
 * `scripts/ensure-docker.sh` and `docker/build.sh` run first and the file FAILS (never skips)
 * when either fails.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureWharfImages } from '@wharf/testkit';
import { docker, startDockerPlatform, type DockerPlatform } from './helpers/docker-platform';
import { etcdGetViaProxy, etcdPlan, etcdPutViaProxy, eventually, waitForPlan } from './helpers/plans';

jest.setTimeout(240_000);
const run = promisify(execFile);

describe('the platform in Docker mode', () => {
  let platform: DockerPlatform;
  let id: string;
  let h1: string;
  let h2: string;
  const t0 = Date.now();
  const mark = (what: string) => process.stdout.write(`[docker-e2e] +${Date.now() - t0} ms ${what}\n`);

  const instanceContainers = () => platform.ps([`wharf.deployment=${id}`]);
  const serviceContainers = (host: string) => platform.ps([`wharf.runner=${host}`]);
  const readKey = async () => (await etcdGetViaProxy(platform, id, 'greeting')).value;

  beforeAll(async () => {
    // build.sh starts the engine and takes a lock: a concurrent build is waited for.
    await ensureWharfImages();
    mark('engine ready, images built');
    platform = await startDockerPlatform();
    [h1, h2] = [`${platform.prefix}host-1`, `${platform.prefix}host-2`];
    mark('platform up');
  }, 200_000);

  afterAll(async () => {
    if (platform) await docker(['rm', '-f', `wharf-runner-${platform.prefix}host-4`]).catch(() => undefined);
    await platform?.down();
    mark('cleaned up');
  });

  it('runs every service of every host as a labelled container', async () => {
    const expected: Record<string, string[]> = {
      // host-1's director owns ZooKeeper: `wharf up` runs it as a process, before the runners.
      [h1]: ['allocator', 'api', 'constructor', 'proxy'],
      [h2]: ['allocator', 'api', 'constructor', 'proxy'],
      [`${platform.prefix}host-3`]: ['allocator'],
    };
    for (const [host, services] of Object.entries(expected)) {
      const rows = await eventually(
        async () => {
          const r = await serviceContainers(host);
          return r.length === services.length ? r : undefined;
        },
        60_000,
        `${host} containers`,
      );
      expect(rows.map((r) => r.labels['wharf.service']).sort()).toEqual(services);
      for (const r of rows) {
        expect(r.labels).toMatchObject({ 'wharf.host': host, 'wharf.runner': host, 'wharf.managed': 'true' });
        const limits = JSON.parse(await docker(['inspect', r.id]))[0].HostConfig;
        expect(limits.Memory).toBeGreaterThan(0);
        expect(limits.RestartPolicy.Name === '' || limits.RestartPolicy.Name === 'no').toBe(true);
      }
    }
    const [allocator] = (await serviceContainers(h2)).filter(
      (r) => r.labels['wharf.service'] === 'allocator',
    );
    const inspect = JSON.parse(await docker(['inspect', allocator!.id]))[0];
    expect(inspect.HostConfig.NetworkMode).toBe('host');
    expect(inspect.HostConfig.Memory).toBeGreaterThan(0);
    expect(inspect.HostConfig.Binds).toEqual(
      expect.arrayContaining([
        `${platform.home}/hosts/${h2}:${platform.home}/hosts/${h2}:rw`,
        '/var/run/docker.sock:/var/run/docker.sock:rw',
      ]),
    );
    expect(inspect.Config.Env).toEqual(
      expect.arrayContaining(['WHARF_RUNTIME=docker', 'WHARF_ALLOCATOR_HOST=127.0.0.2', 'WHARF_ZONE=zone-b']),
    );
    expect(inspect.Config.Image).toBe('wharf/allocator:0.1.0');
  });

  it('creates a 3-zone etcd deployment whose instances are memory-limited containers', async () => {
    const started = Date.now();
    const created = await platform.api('POST', '/deployments', etcdPlan('orders', 3));
    expect(created.status).toBe(201);
    id = created.body.id;
    const attempt = await waitForPlan(platform, id);
    expect(attempt.status).toBe('success');
    await eventually(() => etcdPutViaProxy(platform, id, 'greeting', 'hello'), 30_000, 'a put via the proxy');
    mark(`plan-to-routable ${Date.now() - started} ms`);
    const rows = await instanceContainers();
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.labels['wharf.allocator']))).toEqual(
      new Set(platform.hosts.map((h) => `allocator-${h.id}`)),
    );
    for (const r of rows) {
      const inspect = JSON.parse(await docker(['inspect', r.id]))[0];
      expect(inspect.HostConfig.Memory).toBeGreaterThan(0);
      expect(inspect.Config.Image).toBe('wharf/etcd:3.4');
    }
    expect(await readKey()).toBe('hello');
  });

  it('replaces a killed instance container and keeps the key readable', async () => {
    const [victim] = await instanceContainers();
    await docker(['kill', victim!.id]);
    const started = Date.now();
    await eventually(
      async () => {
        const rows = await instanceContainers();
        const running = rows.filter((r) => r.name === victim!.name);
        if (running.length !== 1) return undefined;
        const state = JSON.parse(await docker(['inspect', running[0]!.id]))[0].State;
        return state.Running && Date.parse(state.StartedAt) >= started - 1000 ? true : undefined;
      },
      60_000,
      'the killed instance to run again',
    );
    mark(`instance back ${Date.now() - started} ms`);
    expect(await eventually(readKey, 30_000, 'the key after the instance kill')).toBe('hello');
  });

  it('restarts a killed service container (the proxy) and traffic flows again', async () => {
    const [proxy] = (await serviceContainers(h1)).filter((r) => r.labels['wharf.service'] === 'proxy');
    await docker(['kill', proxy!.id]);
    const started = Date.now();
    const value = await eventually(
      async () => {
        const rows = (await serviceContainers(h1)).filter((r) => r.labels['wharf.service'] === 'proxy');
        if (rows.length !== 1 || rows[0]!.id === proxy!.id) return undefined;
        return readKey();
      },
      60_000,
      'the proxy to be restarted',
    );
    expect(value).toBe('hello');
    mark(`proxy back ${Date.now() - started} ms`);
  });

  it('measures plan-to-routable (5 runs) and the idle memory of every service container', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const created = await platform.api('POST', '/deployments', etcdPlan(`bench-${i}`, 3));
      expect(created.status).toBe(201);
      const bid = created.body.id as string;
      expect((await waitForPlan(platform, bid)).status).toBe('success');
      await eventually(() => etcdPutViaProxy(platform, bid, 'k', 'v'), 30_000, `bench ${bid} routable`);
      samples.push(Date.now() - started);
      expect((await platform.api('DELETE', `/deployments/${bid}`)).status).toBeLessThan(300);
      await eventually(
        async () => ((await platform.ps([`wharf.deployment=${bid}`], true)).length === 0 ? true : undefined),
        60_000,
        `bench ${bid} containers removed`,
      );
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    mark(`plan-to-routable docker samples=${JSON.stringify(samples)} median=${pct(0.5)} p95=${pct(0.95)} ms`);
    const ids = (await Promise.all(platform.hosts.map((h) => serviceContainers(h.id)))).flat();
    const stats = await docker([
      'stats',
      '--no-stream',
      '--format',
      '{{.Name}}\t{{.MemUsage}}',
      ...ids.map((r) => r.id),
    ]);
    mark(`idle service containers (docker stats):\n${stats}`);
    const rss: string[] = [];
    for (const r of ids) {
      const pid = JSON.parse(await docker(['inspect', r.id]))[0].State.Pid as number;
      const { stdout } = await run('ps', ['-o', 'rss=', '--ppid', String(pid), '-p', String(pid)]);
      const kb = stdout
        .split('\n')
        .filter(Boolean)
        .reduce((a, l) => a + Number(l.trim()), 0);
      rss.push(`${r.name} ${(kb / 1024).toFixed(1)} MiB`);
    }
    mark(`idle service containers (RSS of init + node):\n${rss.join('\n')}`);
    const runners: string[] = [];
    for (const h of platform.hosts) {
      const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(h.runnerPid)]);
      runners.push(`runner ${h.id} ${(Number(stdout.trim()) / 1024).toFixed(1)} MiB`);
    }
    mark(`runner processes (RSS):\n${runners.join('\n')}`);
  });

  it('removes the proxy container when host-1 loses the proxy role, and host-2 keeps serving', async () => {
    const res = await platform.api('PUT', `/platform/hosts/${h1}/roles`, {
      roles: ['coordinator', 'allocator'],
    });
    expect(res.status).toBe(200);
    await eventually(
      async () => {
        const rows = await serviceContainers(h1);
        return rows.some((r) => r.labels['wharf.service'] === 'proxy') ? undefined : rows;
      },
      30_000,
      'the proxy container to go away',
    );
    const left = (await serviceContainers(h1)).map((r) => r.labels['wharf.service']).sort();
    expect(left).toEqual(['allocator', 'api', 'constructor']);
    const viaHost2 = await etcdGetViaProxy(platform, id, 'greeting', platform.proxyPorts[1]);
    expect(viaHost2.value).toBe('hello');
  });

  it('joins a host whose runner is itself a container (wharf/runner) with a roles token', async () => {
    const host = `${platform.prefix}host-4`;
    const created = await platform.api('POST', '/platform/configuration/security/roles-tokens', {
      roles: ['allocator'],
    });
    expect(created.status).toBe(201);
    // Production layout: the runner container sees only its host home (same path inside and out,
    // owned by the images' user) and the engine socket, through the socket's group.
    const hostHome = `${platform.home}/hosts/${host}`;
    await run('install', ['-d', '-o', '10001', '-g', '10001', hostHome]);
    const gid = (await run('stat', ['-c', '%g', '/var/run/docker.sock'])).stdout.trim();
    const base = 12_000 + Math.floor(Math.random() * 50) * 100;
    await docker([
      'run',
      '-d',
      '--name',
      `wharf-runner-${host}`,
      '--network',
      'host',
      '--group-add',
      gid,
      '-v',
      '/var/run/docker.sock:/var/run/docker.sock',
      '-v',
      `${hostHome}:${hostHome}`,
      ...['WHARF_RUNNER_MODE=docker', `WHARF_HOME=${platform.home}`, `WHARF_ZK=127.0.0.1:${platform.zkPort}`]
        .concat([`WHARF_HOST_ID=${host}`, 'WHARF_HOST_ADDRESS=127.0.0.4', 'WHARF_ZONE=zone-a'])
        .concat(['WHARF_ROLES=allocator', `WHARF_ROLES_TOKEN=${created.body.token}`])
        .concat([`WHARF_PORT_RANGE=${base}-${base + 99}`])
        .flatMap((kv) => ['-e', kv]),
      'wharf/runner:0.1.0',
    ]);
    const allocator = await eventually(
      async () => {
        const rows = await serviceContainers(host);
        return rows.length === 1 ? rows[0] : undefined;
      },
      60_000,
      "the joined host's allocator container",
    );
    expect(allocator!.labels).toMatchObject({ 'wharf.service': 'allocator', 'wharf.host': host });
    await eventually(
      async () => {
        const list = (await platform.api('GET', '/platform/allocators')).body;
        const found = (list.allocators ?? list).find((a: { id: string }) => a.id === `allocator-${host}`);
        return found?.connected ? found : undefined;
      },
      60_000,
      `allocator-${host} connected`,
    );
    const hosts = (await platform.api('GET', '/platform/hosts')).body;
    expect((hosts.hosts ?? hosts).find((h: { id: string }) => h.id === host)).toMatchObject({
      roles: ['allocator'],
      zone: 'zone-a',
    });
  });

  it('a dead host (runner frozen, allocator and instance containers killed): re-placed on the spare allocator, data intact, no manual step', async () => {
    const host3 = `${platform.prefix}host-3`;
    const dead = `allocator-${host3}`;
    const runner = platform.hosts.find((h) => h.id === host3)!;
    // host-1 lost its proxy role above: through host-2's proxy.
    const host2Proxy = platform.proxyPorts[1];
    const before = (await platform.api('GET', `/deployments/${id}`)).body.instances as any[];
    expect(before.filter((i) => i.allocator_id === dead)).toHaveLength(1);
    // The dead host: its runner frozen (to ZooKeeper and everyone else it is gone, and it restarts
    // nothing), its allocator container and its etcd member's container killed.
    const victims = [
      ...(await serviceContainers(host3)),
      ...(await platform.ps([`wharf.deployment=${id}`, `wharf.allocator=${dead}`])),
    ];
    expect(victims.length).toBeGreaterThanOrEqual(2);
    const t0 = Date.now();
    process.kill(runner.runnerPid, 'SIGSTOP');
    try {
      await docker(['kill', ...victims.map((v) => v.id)]);
      const seconds = await eventually(
        async () => {
          const now = (await platform.api('GET', `/deployments/${id}`)).body.instances as any[];
          const ok = now.length === 3 && now.every((i) => i.healthy && i.allocator_id !== dead);
          if (!ok) return undefined;
          const members = await platform.proxy(id, 'POST', '/v3/cluster/member/list', '{}', host2Proxy);
          if (members.status !== 200) return undefined;
          const names = (JSON.parse(members.body).members ?? []).map((m: { name: string }) => m.name).sort();
          const want = now.map((i) => i.instance_id).sort();
          return JSON.stringify(names) === JSON.stringify(want) ? (Date.now() - t0) / 1000 : undefined;
        },
        120_000,
        'the deployment back to 3 healthy members off the dead host',
        250,
      );
      mark(`HOSTLOSS docker: dead host to full membership ${seconds.toFixed(1)} s`);
      process.stdout.write(`HOSTLOSS docker failover to full membership: ${seconds.toFixed(1)} s\n`);
      expect((await etcdGetViaProxy(platform, id, 'greeting', host2Proxy)).value).toBe('hello');
      const moved = (await platform.api('GET', `/deployments/${id}`)).body.instances as any[];
      expect(moved.some((i) => i.allocator_id === `allocator-${platform.prefix}host-4`)).toBe(true);
      expect(await instanceContainers()).toHaveLength(3);
      // The recovery is an attempt of its own in the activity log, with its steps.
      const plan = (await platform.api('GET', `/deployments/${id}/plan`)).body;
      expect(plan.current.source).toMatchObject({ action: 'recover', reason: expect.stringContaining(dead) });
    } finally {
      process.kill(runner.runnerPid, 'SIGCONT');
    }
  });

  it('stopping a runner container stops and removes the services it runs', async () => {
    const host = `${platform.prefix}host-4`;
    await docker(['stop', '-t', '30', `wharf-runner-${host}`]);
    expect(await platform.ps([`wharf.runner=${host}`], true)).toEqual([]);
  });
});
