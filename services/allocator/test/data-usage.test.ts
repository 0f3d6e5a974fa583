/**
 * Storage metering's measurement: the size of an instance's data directory, bounded and
 * rate-limited (`src/data-usage.ts`), and reported as `data_mb` in the status of a real process
 * instance against a real ZooKeeper.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nullLogger } from '@wharf/observability';
import { type TempDir, tempDir, useZooKeeper, waitFor } from '@wharf/testkit';
import { stackCatalog } from '../src/index';
import { DataUsageMeter, directoryBytes, mibOf } from '../src/data-usage';
import {
  httpSpec,
  putSpec,
  randomPortRange,
  readStatus,
  startAllocator,
  writeServerScript,
  type Running,
} from './harness';

jest.setTimeout(30_000);

const MIB = 1024 * 1024;
const zkf = useZooKeeper();
let home: TempDir;
let running: Running | undefined;

beforeEach(async () => {
  home = await tempDir('wharf-allocator-data-usage');
});

afterEach(async () => {
  await running?.allocator.shutdown({ stopInstances: true }).catch(() => undefined);
  await running?.runtime.close().catch(() => undefined);
  running = undefined;
  await home.cleanup();
});

describe('data directory size', () => {
  test('sums nested files, stops at the entry bound, rounds up to whole MiB', async () => {
    const dir = join(home.path, 'data');
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'one'), Buffer.alloc(MIB));
    await writeFile(join(dir, 'a', 'b', 'two'), Buffer.alloc(MIB / 2));
    expect(await directoryBytes(dir, 100)).toEqual({ bytes: 1.5 * MIB, complete: true });
    expect((await directoryBytes(dir, 2)).complete).toBe(false);
    expect(await directoryBytes(join(home.path, 'missing'), 100)).toEqual({ bytes: 0, complete: true });
    expect([mibOf(0), mibOf(1), mibOf(MIB), mibOf(1.5 * MIB)]).toEqual([0, 1, 1, 2]);
  });

  test('measures an instance at most once per interval, in the background', async () => {
    const dir = join(home.path, 'data');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'f'), Buffer.alloc(MIB));
    let now = 0;
    let changes = 0;
    const meter = new DataUsageMeter({
      logger: nullLogger,
      now: () => now,
      intervalMs: 60_000,
      onChange: () => changes++,
    });
    meter.refresh([{ instanceId: 'i1', dir }]);
    await waitFor(async () => meter.get('i1'), { timeoutMs: 2_000, message: 'a first figure' });
    expect([meter.get('i1'), changes]).toEqual([1, 1]);
    await writeFile(join(dir, 'g'), Buffer.alloc(2 * MIB));
    now = 59_999;
    meter.refresh([{ instanceId: 'i1', dir }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(meter.get('i1')).toBe(1); // not due yet: the figure stays
    now = 60_000;
    meter.refresh([{ instanceId: 'i1', dir }]);
    await waitFor(async () => (meter.get('i1') === 3 ? true : undefined), {
      timeoutMs: 2_000,
      message: 'the new figure',
    });
    expect(changes).toBe(2);
    meter.refresh([]);
    expect(meter.get('i1')).toBeUndefined(); // an instance gone is forgotten
  });

  test("a running instance's status carries its data directory size", async () => {
    const zk = await zkf.session();
    const ALLOC = 'alloc-data';
    running = await startAllocator(zk, stackCatalog(), {
      id: ALLOC,
      home: home.path,
      portRange: randomPortRange(),
      dataUsageIntervalMs: 200,
    });
    const script = await writeServerScript(home.path);
    await putSpec(zk, httpSpec(ALLOC, 'web-0', script));
    await waitFor(async () => (await readStatus(zk, ALLOC, 'web-0'))?.state === 'running', {
      timeoutMs: 15_000,
      message: 'the instance to run',
    });
    const data = join(home.path, 'allocators', ALLOC, 'instances', 'web-0', 'data');
    await writeFile(join(data, 'blob'), Buffer.alloc(3 * MIB));
    const status = await waitFor(
      async () => {
        const s = await readStatus(zk, ALLOC, 'web-0');
        return s?.data_mb === 3 ? s : undefined;
      },
      { timeoutMs: 10_000, message: 'data_mb 3 in the status' },
    );
    expect(status.state).toBe('running');
  });
});
