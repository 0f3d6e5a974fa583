/**
 * `DockerRuntime` against the real engine: limits, labels and the data dir mount as Docker sees
 * them, exit codes and kills through the event stream, demultiplexed logs, stop timeouts,
 * forced removal, stats, and adoption by a second runtime without a restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import Dockerode from 'dockerode';
import { isWharfError } from '@wharf/model';
import { type ContainerSpec, DockerRuntime, type ExitEvent, dockerEngineReady } from '../src';
import { ensureEtcdTestImage } from '@wharf/testkit';
import { removeLabelled, TEST_IMAGE, uniqueScope } from './docker-helpers';
import { tempDir, waitFor } from './helpers';

jest.setTimeout(30_000);

const SCOPE_LABEL = 'wharf.allocator';
const scope = uniqueScope('rt');
const docker = new Dockerode();
const runtimes: DockerRuntime[] = [];
let root: { path: string; cleanup: () => Promise<void> };

const open = async (): Promise<DockerRuntime> => {
  const runtime = new DockerRuntime({ docker, scope: { [SCOPE_LABEL]: scope }, hostCpus: 2 });
  runtimes.push(runtime);
  await runtime.open();
  return runtime;
};

const spec = (name: string, script: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name: `wharf-${scope}-${name}`,
  labels: { 'wharf.deployment': 'd1', 'wharf.instance': name },
  image: TEST_IMAGE,
  argv: ['/bin/sh', '-c', script],
  env: { GREETING: 'hello' },
  dataDir: `${root.path}/${name}`,
  memoryMb: 64,
  cpuQuota: 0.25,
  hostAddress: '127.0.0.1',
  ports: { http: 29999 },
  ...extra,
});

const exits = (runtime: DockerRuntime): ExitEvent[] => {
  const events: ExitEvent[] = [];
  runtime.on('exit', (event) => events.push(event));
  return events;
};

beforeAll(() => ensureEtcdTestImage(), 300_000);

beforeEach(async () => {
  root = await tempDir('docker-rt');
});

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  await removeLabelled(docker, SCOPE_LABEL, scope);
  await root.cleanup();
});

test('limits, labels, mount, user and network are what Docker runs', async () => {
  const runtime = await open();
  const info = await runtime.create(spec('limits', 'echo "$GREETING" > /data/hello; sleep 1000'));
  await runtime.start(info.id);
  const raw = await docker.getContainer(info.id).inspect();
  expect(raw.HostConfig.Memory).toBe(64 * 1024 * 1024);
  expect(raw.HostConfig.MemorySwap).toBe(64 * 1024 * 1024);
  expect(raw.HostConfig.CpuPeriod).toBe(100_000);
  expect(raw.HostConfig.CpuQuota).toBe(50_000); // 0.25 of 2 CPUs
  expect(raw.HostConfig.NetworkMode).toBe('host');
  expect(raw.HostConfig.RestartPolicy?.Name).toBe('no');
  expect(raw.Config.Labels).toMatchObject({
    'wharf.deployment': 'd1',
    'wharf.instance': 'limits',
    [SCOPE_LABEL]: scope,
    'wharf.managed': 'true',
  });
  expect(raw.Config.User).toBe(
    process.getuid?.() === 0 ? '10001:10001' : `${process.getuid?.()}:${process.getgid?.()}`,
  );
  expect(raw.Config.Env).toContain('GREETING=hello');
  expect(raw.Config.Env.some((e) => e.startsWith('HOME=/root'))).toBe(false);
  expect(raw.Mounts).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ Source: `${root.path}/limits`, Destination: '/data' }),
    ]),
  );
  await waitFor(() => existsSync(`${root.path}/limits/hello`), 5_000, 'the data file');
  expect(readFileSync(`${root.path}/limits/hello`, 'utf8')).toBe('hello\n');
  expect(runtime.containerView(`${root.path}/limits`, '127.0.0.1')).toEqual({
    dataDir: '/data',
    bindHost: '127.0.0.1',
  });
  const listed = await runtime.list({ 'wharf.instance': 'limits' });
  expect(listed.map((c) => [c.id, c.state, c.ports, c.dataDir])).toEqual([
    [info.id, 'running', { http: 29999 }, `${root.path}/limits`],
  ]);
  expect(listed[0]!.labels).toEqual({
    'wharf.deployment': 'd1',
    'wharf.instance': 'limits',
    [SCOPE_LABEL]: scope,
  });
  const stats = await runtime.stats(info.id);
  expect(stats?.memoryLimitBytes).toBe(64 * 1024 * 1024);
  expect(stats?.memoryBytes).toBeGreaterThan(0);
});

test('refuses a spec without an image and never pulls a missing one', async () => {
  const runtime = await open();
  const { image: _i, ...noImage } = spec('noimage', 'true');
  await expect(runtime.create(noImage)).rejects.toMatchObject({
    code: 'WHARF_RUNTIME_ERROR',
    details: { field: 'image' },
  });
  await expect(
    runtime.create(spec('missing', 'true', { image: 'wharf-test/absent:0' })),
  ).rejects.toMatchObject({
    code: 'WHARF_RUNTIME_ERROR',
    details: { field: 'image' },
  });
  await runtime.create(spec('dup', 'true'));
  const err: unknown = await runtime.create(spec('dup', 'true')).catch((e: unknown) => e);
  expect(isWharfError(err, 'WHARF_CONFLICT')).toBe(true);
});

test('an exit code and a kill arrive as exit events; logs are demultiplexed', async () => {
  const runtime = await open();
  const events = exits(runtime);
  const three = await runtime.create(spec('three', 'echo to-stdout; echo to-stderr >&2; exit 3'));
  await runtime.start(three.id);
  await waitFor(() => events.find((e) => e.id === three.id), 10_000, 'exit 3');
  expect(events.filter((e) => e.id === three.id)).toEqual([
    expect.objectContaining({ exitCode: 3, signal: null, unobserved: false, name: three.name }),
  ]);
  expect(events[0]!.labels).toMatchObject({ 'wharf.instance': 'three' });
  const logs = await runtime.logs(three.id);
  expect(logs).toContain('to-stdout\n');
  expect(logs).toContain('to-stderr\n');
  expect(logs).not.toMatch(/[\u0000-\u0008]/);
  expect(await runtime.inspect(three.name)).toMatchObject({ state: 'exited', exitCode: 3 });

  const killed = await runtime.create(spec('killed', 'exec sleep 1000'));
  await runtime.start(killed.id);
  await docker.getContainer(killed.id).kill();
  const event = await waitFor(() => events.find((e) => e.id === killed.id), 10_000, 'kill exit');
  expect(event).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  // Each run ends in exactly one event.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(events.filter((e) => e.id === killed.id)).toHaveLength(1);
});

test('followLogs streams stdout and stderr demultiplexed, in order, and ends with the container', async () => {
  const runtime = await open();
  const talker = await runtime.create(
    spec('talker', 'echo one; sleep 0.5; echo two >&2; sleep 0.5; printf "dr\\303\\251i\\n"'),
  );
  await runtime.start(talker.id);
  const stream = await runtime.followLogs(talker.id, { sinceMs: Date.now() - 60_000 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  // The loop ended by itself: the stream ends when the container exits.
  expect(Buffer.concat(chunks).toString('utf8')).toBe('one\ntwo\ndréi\n');
  const err: unknown = await runtime.followLogs('no-such-container').catch((e: unknown) => e);
  expect(isWharfError(err, 'WHARF_RUNTIME_NOT_FOUND')).toBe(true);
});

test('stop is graceful, and kills after the timeout when SIGTERM is ignored', async () => {
  const runtime = await open();
  const events = exits(runtime);
  const polite = await runtime.create(spec('polite', 'exec sleep 1000'));
  await runtime.start(polite.id);
  let started = Date.now();
  await runtime.stop(polite.id, { timeoutMs: 5_000 });
  expect(Date.now() - started).toBeLessThan(3_000);
  expect(events.find((e) => e.id === polite.id)).toMatchObject({ signal: 'SIGTERM' });

  const stubborn = await runtime.create(spec('stubborn', "trap '' TERM; while true; do sleep 0.1; done"));
  await runtime.start(stubborn.id);
  started = Date.now();
  await runtime.stop(stubborn.id, { timeoutMs: 1_000 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(events.find((e) => e.id === stubborn.id)).toMatchObject({ signal: 'SIGKILL' });
  expect((await runtime.inspect(stubborn.id))?.state).toBe('exited');
  await runtime.stop(stubborn.id); // no-op when stopped
});

test('a second runtime adopts a running container without restarting it; orphans are removed', async () => {
  const first = await open();
  const info = await first.create(spec('adopted', 'exec sleep 1000'));
  await first.start(info.id);
  const before = await docker.getContainer(info.id).inspect();
  await first.close();

  const second = await open();
  const events = exits(second);
  const listed = await second.list();
  expect(listed.map((c) => [c.id, c.state])).toEqual([[info.id, 'running']]);
  const after = await docker.getContainer(info.id).inspect();
  expect(after.State.StartedAt).toBe(before.State.StartedAt);
  expect(after.State.Pid).toBe(before.State.Pid);

  await expect(second.remove(info.id)).rejects.toMatchObject({ code: 'WHARF_CONFLICT' });
  await second.remove(info.id, { force: true });
  expect(await second.inspect(info.id)).toBeNull();
  expect(events).toEqual([expect.objectContaining({ id: info.id, exitCode: null, unobserved: false })]);
  expect(existsSync(`${root.path}/adopted`)).toBe(true); // the data dir belongs to the caller
  await second.remove(info.id); // unknown: no-op
});

test('containers outside the scope are invisible', async () => {
  const runtime = await open();
  const other = new DockerRuntime({ docker, scope: { [SCOPE_LABEL]: `${scope}-other` } });
  runtimes.push(other);
  await other.open();
  const info = await runtime.create(spec('mine', 'true'));
  expect(await other.inspect(info.id)).toBeNull();
  expect(await other.list()).toEqual([]);
  await expect(other.start(info.id)).rejects.toMatchObject({ code: 'WHARF_RUNTIME_NOT_FOUND' });
  expect(await runtime.inspect('../etc')).toBeNull();
});

test('an exit missed while the event stream was down is reported by the resync', async () => {
  const streams: NodeJS.ReadableStream[] = [];
  const tapped = new Proxy(docker, {
    get(target, prop, receiver) {
      if (prop !== 'getEvents') return Reflect.get(target, prop, receiver) as unknown;
      return async (options: Dockerode.GetEventsOptions) => {
        const stream = await target.getEvents(options);
        streams.push(stream);
        return stream;
      };
    },
  });
  const runtime = new DockerRuntime({ docker: tapped, scope: { [SCOPE_LABEL]: scope } });
  runtimes.push(runtime);
  await runtime.open();
  const events = exits(runtime);
  const info = await runtime.create(spec('missed', 'exec sleep 1000'));
  await runtime.start(info.id);
  // Cut the stream, and kill the container before the watcher reconnects (200 ms back-off).
  (streams[0] as unknown as { destroy(): void }).destroy();
  await docker.getContainer(info.id).kill();
  const event = await waitFor(() => events.find((e) => e.id === info.id), 10_000, 'resynced exit');
  // The resync may report the exit before the new stream's getEvents() call has resolved.
  await waitFor(() => (streams.length >= 2 ? true : undefined), 10_000, 'event stream reopened');
  expect(event).toMatchObject({ signal: 'SIGKILL', unobserved: true });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(events).toHaveLength(1);
});

test('engine probes: ping and local images decide, an unreachable engine fails open()', async () => {
  const reasons: string[] = [];
  const onReason = (reason: string): void => {
    reasons.push(reason);
  };
  expect(await dockerEngineReady([TEST_IMAGE], { onReason })).toBe(true);
  expect(reasons.pop()).toMatch(new RegExp(`answered and holds ${TEST_IMAGE}$`));
  expect(await dockerEngineReady([TEST_IMAGE, 'wharf-test/absent:0'], { onReason })).toBe(false);
  expect(reasons.pop()).toMatch(/answered but lacks wharf-test\/absent:0$/);
  const nowhere = new Dockerode({ socketPath: `${root.path}/no-such.sock` });
  const started = Date.now();
  expect(await dockerEngineReady([], { docker: nowhere, timeoutMs: 500, onReason })).toBe(false);
  expect(reasons.pop()).toMatch(/^no engine answered/);
  expect(Date.now() - started).toBeLessThan(1_000);
  const runtime = new DockerRuntime({ docker: nowhere });
  await expect(runtime.open()).rejects.toMatchObject({ code: 'WHARF_RUNTIME_ERROR' });
  await runtime.close();
});
