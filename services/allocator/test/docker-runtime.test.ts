/**
 * The allocator in Docker mode, end to end on one host: real ZooKeeper, a real engine, the real
 * etcd pack in an image built offline from the host's etcd. held → reserved → released →
 * running + healthy container (limits and labels as `docker` shows them) → allocator restart (adopted, not restarted) → spec deleted →
 * container gone. A pack command without an image fails its instance with a clear message.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { paths } from '@wharf/model';
import { createLogger, createMetrics, nullLogger } from '@wharf/observability';
import { DockerRuntime } from '@wharf/runtime';
import { type StackPack, etcdGet, etcdPut, getStackPack } from '@wharf/stacks';
import {
  ETCD_TEST_IMAGE,
  type TempDir,
  ensureEtcdTestImage,
  tempDir,
  useZooKeeper,
  waitFor,
} from '@wharf/testkit';
import { type Allocator, type StackCatalog, createAllocator } from '../src/index';
import { createInstanceUsageMetrics, recordInstanceUsage } from '../src/metrics';
import {
  FAST,
  httpSpec,
  putSpec,
  randomPortRange,
  readStatus,
  reserveEtcdMember,
  statusWhen,
} from './harness';

jest.setTimeout(60_000);

/** Offline image with the host's etcd (+ libc); built once, shared with the runtime's tests. */
const TEST_IMAGE = ETCD_TEST_IMAGE;
const ALLOC = `alloc-d-${randomBytes(3).toString('hex')}`;
const INSTANCE = 'etcdd-main-0';

/** `docker <args>` output (the allocator never imports dockerode; tests use the CLI). */
function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000 }).trim();
}

function removeContainers(): void {
  const ids = docker('ps', '-aq', '--filter', `label=wharf.allocator=${ALLOC}`);
  if (ids) docker('rm', '-f', ...ids.split('\n'));
}

/** The real catalog, with the etcd pack pointed at the test image. */
function testCatalog(): StackCatalog {
  return (kind) => {
    const pack = getStackPack(kind);
    if (kind !== 'etcd') return pack;
    // Packs are frozen: shadow `command` on an object that inherits everything else.
    return Object.create(pack, {
      command: {
        value: (ctx: Parameters<StackPack['command']>[0]) => ({ ...pack.command(ctx), image: TEST_IMAGE }),
      },
    }) as StackPack;
  };
}

const zkf = useZooKeeper();
let home: TempDir;
let runtime: DockerRuntime;
let allocator: Allocator | undefined;

beforeAll(() => ensureEtcdTestImage(), 300_000);

let portRange: { from: number; to: number };

/** A DockerRuntime scoped to ALLOC and an allocator over it, as `main.ts` wires them. */
async function startDockerAllocator(): Promise<void> {
  runtime = new DockerRuntime({ scope: { 'wharf.allocator': ALLOC } });
  allocator = createAllocator({
    zk: await zkf.session(),
    runtime,
    stacks: testCatalog(),
    logger: process.env.ALLOCATOR_TEST_LOG
      ? createLogger({ service: 'allocator', level: 'debug' })
      : nullLogger,
    metrics: createMetrics('allocator'),
    config: { ...FAST, id: ALLOC, home: home.path, portRange, runtimeKind: 'docker' },
  });
  await allocator.start();
}

beforeEach(async () => {
  home = await tempDir('wharf-allocator-docker');
  portRange = randomPortRange();
  await startDockerAllocator();
});

afterEach(async () => {
  await allocator?.shutdown({ stopInstances: true }).catch(() => undefined);
  await runtime.close();
  allocator = undefined;
  removeContainers();
  await home.cleanup();
});

test('an etcd member runs as a container through hold → reserved → running, and goes with its spec', async () => {
  const zk = await zkf.session();
  const { base, reserved } = await reserveEtcdMember(zk, ALLOC, INSTANCE, 'etcdd');
  expect(docker('ps', '-aq', '--filter', `label=wharf.allocator=${ALLOC}`)).toBe('');

  const member = { name: INSTANCE, host: reserved.host, ports: reserved.ports };
  const cluster = getStackPack('etcd').bootstrap({ deploymentId: 'etcdd', nonce: 'n1', members: [member] });
  await putSpec(zk, { ...base, hold: false, generation: 2, cluster });
  await statusWhen(zk, ALLOC, INSTANCE, (s) => s.state === 'running' && s.healthy, {
    timeoutMs: 30_000,
    message: 'etcd running and healthy',
  });
  await etcdPut(member, 'greeting', 'hello');
  expect(await etcdGet(member, 'greeting')).toBe('hello');

  const ps = docker(
    'ps',
    '--filter',
    `label=wharf.allocator=${ALLOC}`,
    '--format',
    '{{.Names}} {{.Image}} {{.Label "wharf.instance"}} {{.Label "wharf.deployment"}} {{.Label "wharf.managed"}}',
  );
  expect(ps).toBe(`wharf-${ALLOC}-${INSTANCE} ${TEST_IMAGE} ${INSTANCE} etcdd true`);
  const [memory, period, quota] = docker(
    'inspect',
    '--format',
    '{{.HostConfig.Memory}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}}',
    `wharf-${ALLOC}-${INSTANCE}`,
  ).split(' ');
  const ncpu = Number(docker('info', '--format', '{{.NCPU}}'));
  expect(Number(memory)).toBe(256 * 1024 * 1024);
  expect(Number(period)).toBe(100_000);
  expect(Number(quota)).toBe(Math.round((256 / 4096) * ncpu * 100_000));

  // Usage gauges from the engine's stats (what main.ts exports in Docker mode).
  const registry = createMetrics('allocator');
  await recordInstanceUsage(runtime, ALLOC, createInstanceUsageMetrics(registry));
  const memoryLine = (await registry.registry.metrics())
    .split('\n')
    .find((line) => line.startsWith(`wharf_allocator_instance_memory_bytes{instance="${INSTANCE}"`));
  expect(Number(memoryLine?.split(' ').pop())).toBeGreaterThan(1_000_000);

  // An allocator restart adopts the container: same id, same start, still serving.
  const name = `wharf-${ALLOC}-${INSTANCE}`;
  const before = docker('inspect', '--format', '{{.Id}} {{.State.StartedAt}}', name);
  await allocator!.close();
  await runtime.close();
  await startDockerAllocator();
  await statusWhen(zk, ALLOC, INSTANCE, (s) => s.state === 'running' && s.healthy && s.generation === 2, {
    timeoutMs: 10_000,
    message: 'adopted and healthy',
  });
  expect(docker('inspect', '--format', '{{.Id}} {{.State.StartedAt}}', name)).toBe(before);
  expect(await etcdGet(member, 'greeting')).toBe('hello');

  await zk.delete(paths.instanceSpec(ALLOC, INSTANCE));
  await waitFor(async () => (await readStatus(zk, ALLOC, INSTANCE)) === undefined, {
    timeoutMs: 20_000,
    message: 'status gone',
  });
  expect(docker('ps', '-aq', '--filter', `label=wharf.allocator=${ALLOC}`)).toBe('');
});

test('an instance whose pack gives no image fails with a clear message', async () => {
  const zk = await zkf.session();
  await putSpec(zk, httpSpec(ALLOC, 'web-main-0', '/srv/server.js'));
  const failed = await statusWhen(zk, ALLOC, 'web-main-0', (s) => s.state === 'failed', {
    timeoutMs: 10_000,
    message: 'failed status',
  });
  expect(failed.message).toMatch(/docker runtime needs an image/);
  expect(docker('ps', '-aq', '--filter', `label=wharf.allocator=${ALLOC}`)).toBe('');
});
