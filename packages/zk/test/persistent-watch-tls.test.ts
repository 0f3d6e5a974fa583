/**
 * The persistent recursive watch over ZooKeeper's mutual-TLS client port: the request and its
 * notifications travel in the frames the TLS transport decrypts, like every other reply.
 */
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { type ZkWatchEvent } from '@wharf/zk';

const zk = useZooKeeper({ tls: true });

test('a recursive watch names created, changed and deleted nodes over TLS', async () => {
  const writer = await zk.session();
  const session = await zk.session();
  await writer.mkdirp('/pw');
  const events: ZkWatchEvent[] = [];
  await session.addRecursiveWatch('/pw', (event) => events.push(event));
  await writer.create('/pw/d1', 'a');
  await writer.set('/pw/d1', 'b', -1);
  await writer.delete('/pw/d1');
  await waitFor(() => events.length >= 3, { message: 'three events' });
  expect(events).toEqual([
    { type: 'created', path: '/pw/d1' },
    { type: 'dataChanged', path: '/pw/d1' },
    { type: 'deleted', path: '/pw/d1' },
  ]);
}, 30_000);
