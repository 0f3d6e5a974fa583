import { type ContainerApi, DockerLauncher, SERVICE_MEMORY_MB } from './docker-launcher';
import { planLaunches } from './roles';

/** An in-memory ContainerApi recording calls; `exit(id)` simulates a container ending. */
function fakeRuntime() {
  const calls: string[] = [];
  const created: Parameters<ContainerApi['create']>[0][] = [];
  const listeners = new Set<(e: { id: string; exitCode: number | null; signal: string | null }) => void>();
  const runtime: ContainerApi = {
    containerView: () => ({ dataDir: '/data' }),
    create: async (spec) => {
      calls.push(`create ${spec.name}`);
      created.push(spec);
      return { id: `c-${spec.name}` };
    },
    start: async (id) => void calls.push(`start ${id}`),
    stop: async (id) => {
      calls.push(`stop ${id}`);
      for (const l of [...listeners]) l({ id, exitCode: 0, signal: null });
    },
    remove: async (id) => void calls.push(`remove ${id}`),
    inspect: async () => ({ pid: 777, state: 'running' }),
    on: (_event, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const exit = (id: string) => {
    for (const l of [...listeners]) l({ id, exitCode: 1, signal: null });
  };
  return { runtime, calls, created, exit };
}

const ctx = {
  hostId: 'h1',
  address: '10.0.0.5',
  zone: 'zone-a',
  zkConnectString: 'zk:2181',
  zkChroot: '/wharf',
  home: '/var/wharf',
  logLevel: 'info',
  domain: 'localhost',
  apiPort: 12400,
  proxyPort: 9200,
  portRange: '20000-20099',
};

test('a service becomes a wharf/<svc>:<version> container with the env contract and its home mounted', async () => {
  const fake = fakeRuntime();
  const launcher = new DockerLauncher({
    runtime: fake.runtime,
    version: '0.1.0',
    hostId: 'h1',
    hostAddress: '10.0.0.5',
    hostHome: '/var/wharf/hosts/h1',
  });
  const [proxy] = planLaunches(ctx, ['proxy']);
  const launched = await launcher.launch(proxy!);
  expect(launched.pid).toBe(777);
  expect(fake.calls).toEqual(['remove wharf-proxy-h1', 'create wharf-proxy-h1', 'start c-wharf-proxy-h1']);
  expect(fake.created[0]).toMatchObject({
    image: 'wharf/proxy:0.1.0',
    argv: [],
    dataDir: '/var/wharf/hosts/h1',
    memoryMb: SERVICE_MEMORY_MB,
    hostAddress: '10.0.0.5',
    ports: { http: 9200 },
    env: { WHARF_ID: 'proxy-h1', WHARF_HOME: '/data', WHARF_PROXY_PORT: '9200', WHARF_ZK: 'zk:2181' },
  });

  // An exit of the container resolves `exited` (the supervisor then restarts it).
  fake.exit('c-wharf-proxy-h1');
  expect(await launched.exited).toEqual({ code: 1, signal: null });
  expect(await launched.stop(1000)).toBe('not-running');
  expect(fake.calls.slice(-2)).toEqual(['stop c-wharf-proxy-h1', 'remove c-wharf-proxy-h1']);
});

test('stopping a running container stops and removes it', async () => {
  const fake = fakeRuntime();
  const launcher = new DockerLauncher({
    runtime: fake.runtime,
    version: '0.1.0',
    hostId: 'h1',
    hostAddress: '10.0.0.5',
    hostHome: '/h',
  });
  const launched = await launcher.launch(planLaunches(ctx, ['allocator'])[0]!);
  expect(await launched.stop(1000)).toBe('terminated');
  expect(await launched.exited).toEqual({ code: 0, signal: null });
});

test('the allocator gets the engine socket, its group and WHARF_RUNTIME=docker; others do not', async () => {
  const fake = fakeRuntime();
  const launcher = new DockerLauncher({
    runtime: { ...fake.runtime, containerView: (dataDir) => ({ dataDir }) },
    version: '0.1.0',
    hostId: 'h1',
    hostAddress: '10.0.0.5',
    hostHome: '/var/wharf/hosts/h1',
    baseEnv: { WHARF_EXTRA: 'x' },
    dockerSocket: { path: '/var/run/docker.sock', gid: 998 },
  });
  const allocator = planLaunches(ctx, ['allocator'])[0];
  const proxy = planLaunches(ctx, ['proxy'])[0];
  await launcher.launch(allocator!);
  await launcher.launch(proxy!);
  const [a, p] = fake.created;
  expect(a).toMatchObject({
    labels: { 'wharf.host': 'h1', 'wharf.service': 'allocator' },
    workDir: '/app/services/allocator',
    extraBinds: ['/var/run/docker.sock:/var/run/docker.sock:rw'],
    groupAdd: ['998'],
    env: { WHARF_RUNTIME: 'docker', WHARF_HOME: '/var/wharf/hosts/h1', WHARF_EXTRA: 'x' },
  });
  expect(p!.extraBinds).toBeUndefined();
  expect(p!.env.WHARF_RUNTIME).toBeUndefined();
  expect(p!.workDir).toBe('/app/services/proxy');
});
