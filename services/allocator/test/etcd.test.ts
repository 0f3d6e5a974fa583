/**
 * The real etcd pack through the whole handshake, single member: held → reserved with client and
 * peer ports → the "constructor" (this test) fills in the cluster from those ports and releases
 * the hold → etcd runs, is healthy, serves a put/get, and goes away with its spec.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '@wharf/model';
import { getStackPack, etcdGet, etcdPut } from '@wharf/stacks';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { stackCatalog } from '../src/index';
import {
  containerOf,
  pidAlive,
  putSpec,
  readStatus,
  reserveEtcdMember,
  useAllocatorHome,
  statusWhen,
} from './harness';

jest.setTimeout(60_000);

const zkf = useZooKeeper();
const ALLOC = 'alloc-e';
const INSTANCE = 'etcd1-main-0';
const home = useAllocatorHome(zkf, 'wharf-allocator-etcd');

test('a single etcd member goes through hold → reserved → running and is removed with its spec', async () => {
  const zk = await zkf.session();
  const running = await home.start(ALLOC, stackCatalog());
  const { base, reserved } = await reserveEtcdMember(zk, ALLOC, INSTANCE, 'etcd1');
  expect(Object.keys(reserved.ports).sort()).toEqual(['client', 'peer']);
  expect(await running.runtime.list()).toEqual([]);

  const member = { name: INSTANCE, host: reserved.host, ports: reserved.ports };
  const cluster = getStackPack('etcd').bootstrap({
    deploymentId: 'etcd1',
    nonce: 'attempt-1',
    members: [member],
  });
  await putSpec(zk, { ...base, hold: false, generation: 2, cluster });
  const up = await statusWhen(
    zk,
    ALLOC,
    INSTANCE,
    (s) => s.state === 'running' && s.healthy && s.generation === 2,
    { timeoutMs: 30_000, message: 'etcd running and healthy' },
  );
  const pid = (await containerOf(running.runtime, INSTANCE))!.pid!;
  home.pids.add(pid);

  await etcdPut(member, 'greeting', 'hello');
  expect(await etcdGet(member, 'greeting')).toBe('hello');
  expect(up.ports).toEqual(reserved.ports);

  await zk.delete(paths.instanceSpec(ALLOC, INSTANCE));
  await waitFor(async () => (await readStatus(zk, ALLOC, INSTANCE)) === undefined, {
    timeoutMs: 20_000,
    message: 'status gone',
  });
  expect(pidAlive(pid)).toBe(false);
  expect(existsSync(join(home.path, 'allocators', ALLOC, 'instances', INSTANCE))).toBe(false);
});
