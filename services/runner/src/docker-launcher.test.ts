import { PassThrough, Writable } from 'node:stream';
import {
  type ContainerApi,
  DockerLauncher,
  type DockerLauncherOptions,
  SERVICE_MEMORY_MB,
} from './docker-launcher';
import { type ContainerLogSource } from './docker-logs';
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
  directorPort: 12500,
  portRange: '20000-20099',
};

/** A launcher for host h1 at 10.0.0.5 with its home at /var/wharf/hosts/h1, plus `options`. */
function launcherFor(runtime: ContainerApi, options: Partial<DockerLauncherOptions> = {}): DockerLauncher {
  return new DockerLauncher({
    runtime,
    version: '0.1.0',
    hostId: 'h1',
    hostAddress: '10.0.0.5',
    hostHome: '/var/wharf/hosts/h1',
    ...options,
  });
}

test('a service becomes a wharf/<svc>:<version> container with the env contract and its home mounted', async () => {
  const fake = fakeRuntime();
  const launcher = launcherFor(fake.runtime);
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
  const launcher = launcherFor(fake.runtime, { hostHome: '/h' });
  const launched = await launcher.launch(planLaunches(ctx, ['allocator'])[0]!);
  expect(await launched.stop(1000)).toBe('terminated');
  expect(await launched.exited).toEqual({ code: 0, signal: null });
});

test('the allocator gets the engine socket, its group and WHARF_RUNTIME=docker; others do not', async () => {
  const fake = fakeRuntime();
  const launcher = launcherFor(
    { ...fake.runtime, containerView: (dataDir) => ({ dataDir }) },
    {
      baseEnv: { WHARF_EXTRA: 'x' },
      dockerSocket: { path: '/var/run/docker.sock', gid: 998 },
    },
  );
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

/**
 * Log streams as the engine gives them: one per followed container, written by `print(id, text)`
 * and ended when the container stops. Files are in-memory sinks keyed by path.
 */
function fakeLogs() {
  const streams = new Map<string, PassThrough>();
  const follows: { id: string; sinceMs: number }[] = [];
  const files = new Map<string, { text: string; closed: boolean }>();
  const source: ContainerLogSource = {
    follow: async (id, { sinceMs }) => {
      follows.push({ id, sinceMs });
      const stream = new PassThrough();
      streams.set(id, stream);
      return stream;
    },
  };
  const openLog = (path: string) => {
    const file = { text: files.get(path)?.text ?? '', closed: false };
    files.set(path, file);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        file.text += chunk.toString('utf8');
        cb();
      },
    });
    sink.once('close', () => (file.closed = true));
    return sink;
  };
  /** Lets the launcher's follow request and pipe get going. */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { source, openLog, streams, follows, files, settle };
}

test("a container's output goes to the service's log file from its start; each run appends its own", async () => {
  const fake = fakeRuntime();
  const logs = fakeLogs();
  const launcher = launcherFor(fake.runtime, { logs: logs.source, openLog: logs.openLog });
  const [proxy] = planLaunches(ctx, ['proxy']);
  const before = Date.now();
  const first = await launcher.launch(proxy!);
  await logs.settle();
  expect(logs.follows).toEqual([{ id: 'c-wharf-proxy-h1', sinceMs: expect.any(Number) }]);
  expect(logs.follows[0]!.sinceMs).toBeGreaterThanOrEqual(before);
  expect(logs.follows[0]!.sinceMs).toBeLessThanOrEqual(Date.now());
  logs.streams.get('c-wharf-proxy-h1')!.write('run 1 line\n');
  // The container dies: the engine delivers the last line and ends the stream.
  fake.exit('c-wharf-proxy-h1');
  logs.streams.get('c-wharf-proxy-h1')!.end('run 1 crash\n');
  expect(await first.exited).toEqual({ code: 1, signal: null });
  const file = logs.files.get(proxy!.logFile)!;
  expect(file).toEqual({ text: 'run 1 line\nrun 1 crash\n', closed: true });

  // The supervisor's restart is a new container: its output is appended, nothing replayed.
  await launcher.launch(proxy!);
  await logs.settle();
  expect(logs.follows).toHaveLength(2);
  logs.streams.get('c-wharf-proxy-h1')!.end('run 2 line\n');
  await logs.settle();
  expect(logs.files.get(proxy!.logFile)!.text).toBe('run 1 line\nrun 1 crash\nrun 2 line\n');
});

test('stop lets the last lines reach the file before removing the container, then closes it', async () => {
  const fake = fakeRuntime();
  const logs = fakeLogs();
  let textAtRemove: string | undefined;
  const runtime: ContainerApi = {
    ...fake.runtime,
    stop: async (id, options) => {
      await fake.runtime.stop(id, options);
      // The engine flushes the service's shutdown lines after `stop` returned.
      setImmediate(() => logs.streams.get(id)!.end('shutdown requested\n'));
    },
    remove: async (id, options) => {
      textAtRemove ??= [...logs.files.values()][0]?.text;
      await fake.runtime.remove(id, options);
    },
  };
  const launcher = launcherFor(runtime, { logs: logs.source, openLog: logs.openLog });
  const spec = planLaunches(ctx, ['proxy'])[0]!;
  const launched = await launcher.launch(spec);
  await logs.settle();
  textAtRemove = undefined; // the remove before create is not the one under test
  expect(await launched.stop(1000)).toBe('terminated');
  expect(textAtRemove).toBe('shutdown requested\n');
  expect(logs.files.get(spec.logFile)).toEqual({ text: 'shutdown requested\n', closed: true });
});
