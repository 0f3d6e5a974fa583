import { type HostLive } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { BAD_DOCUMENT_MESSAGE, DocumentStore, type ZkLogger } from '@wharf/zk';

const zk = useZooKeeper();

const live = (pid: number): HostLive => ({
  schema_version: 1,
  pid,
  updated: '2026-11-22T00:00:00.000Z',
  services: [],
});

describe('DocumentStore against ZooKeeper', () => {
  test('reads, versioned writes, a transaction and bad data skipped once', async () => {
    const session = await zk.session();
    const warnings: string[] = [];
    const logger: ZkLogger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: (m) => warnings.push(m),
    };
    const store = new DocumentStore(session, { logger });
    await session.mkdirp('/hosts/h1');
    expect(await store.read('host-live', '/hosts/h1/live')).toBeUndefined();

    const results = await store
      .transaction()
      .create('host-live', '/hosts/h1/live', live(20000))
      .createNode('/hosts/h1/other')
      .commit();
    expect(results.map((r) => r.op)).toEqual(['create', 'create']);
    const read = await store.read('host-live', '/hosts/h1/live');
    expect(read?.value.pid).toBe(20000);
    expect(read?.stat.numChildren).toBe(0);
    await expect(store.set('host-live', '/hosts/h1/live', live(1), read!.version + 1)).rejects.toMatchObject({
      code: 'WHARF_ZK_BAD_VERSION',
    });
    expect(await store.readChildren('/hosts/h1')).toEqual(['live', 'other']);

    await session.set('/hosts/h1/live', '{garbage', -1);
    await expect(store.read('host-live', '/hosts/h1/live')).rejects.toMatchObject({
      code: 'WHARF_VALIDATION',
    });
    expect(await store.readOrSkip('host-live', '/hosts/h1/live')).toBeUndefined();
    const node = await store.readNode('host-live', '/hosts/h1/live');
    expect(node).toMatchObject({ value: undefined, version: 1 });
    expect(warnings).toEqual([BAD_DOCUMENT_MESSAGE]);
    // The bad node can be replaced in place at the version it was read at.
    await store.set('host-live', '/hosts/h1/live', live(20001), node!.version);
    expect((await store.read('host-live', '/hosts/h1/live'))?.value.pid).toBe(20001);
  });

  test('updateDocument: two sessions × 50 updates lose none', async () => {
    const [a, b] = [await zk.session(), await zk.session()];
    await new DocumentStore(a).create('host-live', '/r', live(1000));
    const bump = async (store: DocumentStore) => {
      for (let i = 0; i < 50; i++) {
        await store.updateDocument('host-live', '/r', (cur) => live((cur?.pid ?? 0) + 1), {
          retries: 50,
        });
      }
    };
    await Promise.all([bump(new DocumentStore(a)), bump(new DocumentStore(b))]);
    const final = await new DocumentStore(a).read('host-live', '/r');
    expect(final?.value.pid).toBe(1100);
    expect(final?.version).toBe(100);
  }, 30_000);
});
