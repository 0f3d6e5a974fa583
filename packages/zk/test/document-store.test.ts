import { type RouteEntry } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { BAD_DOCUMENT_MESSAGE, DocumentStore, type ZkLogger } from '@wharf/zk';

const zk = useZooKeeper();

const route = (port: number): RouteEntry => ({
  schema_version: 1,
  deployment_id: 'abc123',
  updated: '2026-11-22T00:00:00.000Z',
  instances: [
    {
      instance_id: 'abc123-main-0',
      allocator_id: 'alloc-1',
      ref_id: 'main',
      zone: 'zone-a',
      host: '127.0.0.1',
      port,
      healthy: true,
    },
  ],
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
    await session.mkdirp('/routes');
    expect(await store.read('route', '/routes/abc123')).toBeUndefined();

    const results = await store
      .transaction()
      .create('route', '/routes/abc123', route(20000))
      .createNode('/routes/other')
      .commit();
    expect(results.map((r) => r.op)).toEqual(['create', 'create']);
    const read = await store.read('route', '/routes/abc123');
    expect(read?.value.instances[0]?.port).toBe(20000);
    expect(read?.stat.numChildren).toBe(0);
    await expect(store.set('route', '/routes/abc123', route(1), read!.version + 1)).rejects.toMatchObject({
      code: 'WHARF_ZK_BAD_VERSION',
    });
    expect(await store.readChildren('/routes')).toEqual(['abc123', 'other']);

    await session.set('/routes/abc123', '{garbage', -1);
    await expect(store.read('route', '/routes/abc123')).rejects.toMatchObject({ code: 'WHARF_VALIDATION' });
    expect(await store.readOrSkip('route', '/routes/abc123')).toBeUndefined();
    const node = await store.readNode('route', '/routes/abc123');
    expect(node).toMatchObject({ value: undefined, version: 1 });
    expect(warnings).toEqual([BAD_DOCUMENT_MESSAGE]);
    // The bad node can be replaced in place at the version it was read at.
    await store.set('route', '/routes/abc123', route(20001), node!.version);
    expect((await store.read('route', '/routes/abc123'))?.value.instances[0]?.port).toBe(20001);
  });

  test('updateDocument: two sessions × 50 updates lose none', async () => {
    const [a, b] = [await zk.session(), await zk.session()];
    await new DocumentStore(a).create('route', '/r', route(1000));
    const bump = async (store: DocumentStore) => {
      for (let i = 0; i < 50; i++) {
        await store.updateDocument('route', '/r', (cur) => route((cur?.instances[0]?.port ?? 0) + 1), {
          retries: 50,
        });
      }
    };
    await Promise.all([bump(new DocumentStore(a)), bump(new DocumentStore(b))]);
    const final = await new DocumentStore(a).read('route', '/r');
    expect(final?.value.instances[0]?.port).toBe(1100);
    expect(final?.version).toBe(100);
  }, 30_000);
});
