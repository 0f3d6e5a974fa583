import { WharfError, type HostLive } from '@wharf/model';
import { BAD_DOCUMENT_MESSAGE } from './document-decoder';
import { type DocumentPort, type DocumentTxPort } from './document-port';
import { DocumentStore } from './document-store';
import { SKIP_UPDATE } from './update-json';

const live = (pid: number): HostLive => ({
  schema_version: 1,
  pid,
  updated: '2026-11-22T00:00:00.000Z',
  services: [],
});

/** An in-memory port: a map of path → (data, version), with ZooKeeper's error codes. */
function fakePort(): DocumentPort & { nodes: Map<string, { data: Buffer; version: number }> } {
  const nodes = new Map<string, { data: Buffer; version: number }>();
  const noNode = (path: string) => new WharfError('WHARF_ZK_NO_NODE', 'no node', { details: { path } });
  const port = {
    nodes,
    get: async (path: string) => {
      const node = nodes.get(path);
      if (!node) throw noNode(path);
      return { data: node.data, stat: { version: node.version } };
    },
    create: async (path: string, data?: Buffer | string) => {
      if (nodes.has(path)) throw new WharfError('WHARF_ZK_NODE_EXISTS', 'exists');
      nodes.set(path, { data: Buffer.from(data ?? ''), version: 0 });
      return path;
    },
    set: async (path: string, data: Buffer | string, version: number) => {
      const node = nodes.get(path);
      if (!node) throw noNode(path);
      if (version !== -1 && version !== node.version)
        throw new WharfError('WHARF_ZK_BAD_VERSION', 'bad version');
      nodes.set(path, { data: Buffer.from(data), version: node.version + 1 });
      return { version: node.version + 1 };
    },
    delete: async (path: string) => {
      if (!nodes.delete(path)) throw noNode(path);
    },
    children: async (path: string) => {
      if (!nodes.has(path)) throw noNode(path);
      return [...nodes.keys()].filter((p) => p.startsWith(`${path}/`)).map((p) => p.slice(path.length + 1));
    },
    mkdirp: async () => undefined,
    transaction: (): DocumentTxPort => {
      throw new Error('not used');
    },
  };
  return port;
}

function recordingLogger() {
  const warnings: { msg: string; meta?: object }[] = [];
  const noop = () => undefined;
  return {
    warnings,
    logger: {
      debug: noop,
      info: noop,
      error: noop,
      warn: (msg: string, meta?: object) => warnings.push({ msg, meta }),
    },
  };
}

const instantClock = { now: () => 0, sleep: async () => undefined, random: () => 0.5 };

describe('DocumentStore reads', () => {
  test('a missing node reads as undefined; a good one with its version', async () => {
    const zk = fakePort();
    const store = new DocumentStore(zk);
    expect(await store.read('host-live', '/hosts/h1/live')).toBeUndefined();
    expect(await store.readChildren('/hosts/h1')).toEqual([]);
    await store.create('host-live', '/hosts/h1/live', live(1));
    expect(await store.read('host-live', '/hosts/h1/live')).toMatchObject({ value: live(1), version: 0 });
  });

  test('read throws on bad data; readOrSkip and readNode log it once and skip it', async () => {
    const zk = fakePort();
    const { warnings, logger } = recordingLogger();
    const store = new DocumentStore(zk, { logger });
    zk.nodes.set('/hosts/h1/live', { data: Buffer.from('{not json'), version: 3 });
    await expect(store.read('host-live', '/hosts/h1/live')).rejects.toMatchObject({
      code: 'WHARF_VALIDATION',
    });
    expect(await store.readOrSkip('host-live', '/hosts/h1/live')).toBeUndefined();
    expect(await store.readOrSkip('host-live', '/hosts/h1/live')).toBeUndefined();
    expect(await store.readNode('host-live', '/hosts/h1/live')).toEqual({
      value: undefined,
      version: 3,
      stat: { version: 3 },
    });
    expect(warnings).toEqual([
      {
        msg: BAD_DOCUMENT_MESSAGE,
        meta: expect.objectContaining({ path: '/hosts/h1/live', kind: 'host-live' }),
      },
    ]);
  });

  test('a document that parses but breaks its schema is skipped too; a repair then a new corruption logs again', () => {
    const { warnings, logger } = recordingLogger();
    const store = new DocumentStore(fakePort(), { logger });
    const bad = Buffer.from(JSON.stringify({ ...live(1), schema_version: 2 }));
    expect(store.decodeOrSkip('host-live', '/hosts/h1/live', bad)).toBeUndefined();
    expect(store.decodeOrSkip('host-live', '/hosts/h1/live', Buffer.from(bad))).toBeUndefined();
    expect(store.decodeOrSkip('host-live', '/hosts/h1/live', store.encode('host-live', live(1)))).toEqual(
      live(1),
    );
    expect(store.decodeOrSkip('host-live', '/hosts/h1/live', bad)).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });

  test('errors other than bad data propagate', async () => {
    const zk = fakePort();
    zk.get = async () => {
      throw new WharfError('WHARF_ZK_CONNECTION_LOSS', 'lost');
    };
    await expect(new DocumentStore(zk).readOrSkip('host-live', '/routes/x')).rejects.toMatchObject({
      code: 'WHARF_ZK_CONNECTION_LOSS',
    });
  });
});

describe('DocumentStore writes', () => {
  test('validates on write: nothing is written for an invalid document', async () => {
    const zk = fakePort();
    const store = new DocumentStore(zk);
    const invalid = { ...live(1), pid: 0 };
    await expect(store.put('host-live', '/hosts/h1/live', invalid)).rejects.toMatchObject({
      code: 'WHARF_VALIDATION',
    });
    expect(zk.nodes.size).toBe(0);
  });

  test('set is conditional on the version; put creates then overwrites; delete reports a missing node', async () => {
    const zk = fakePort();
    const store = new DocumentStore(zk);
    await store.put('host-live', '/r', live(1));
    await store.put('host-live', '/r', live(2));
    expect((await store.read('host-live', '/r'))?.version).toBe(1);
    await expect(store.set('host-live', '/r', live(1), 0)).rejects.toMatchObject({
      code: 'WHARF_ZK_BAD_VERSION',
    });
    expect(await store.set('host-live', '/r', live(1), 1)).toBe(2);
    expect(await store.createIfAbsent('host-live', '/r', live(1))).toBe(false);
    expect(await store.delete('/r')).toBe(true);
    expect(await store.delete('/r')).toBe(false);
  });
});

describe('DocumentStore.updateDocument', () => {
  test('retries a conflicting write with the re-read document', async () => {
    const zk = fakePort();
    const store = new DocumentStore(zk, { clock: instantClock });
    await store.create('host-live', '/r', live(1));
    let calls = 0;
    const result = await store.updateDocument('host-live', '/r', (current) => {
      calls += 1;
      // Another writer lands between the first read and the write.
      if (calls === 1) zk.nodes.set('/r', { data: store.encode('host-live', live(2)), version: 5 });
      return { ...current!, updated: `2026-11-22T00:00:0${calls}.000Z` };
    });
    expect(result).toMatchObject({ attempts: 2, written: true, version: 6 });
    expect((await store.read('host-live', '/r'))?.value.pid).toBe(2);
  });

  test('gives up after the bounded retries with WHARF_ZK_BAD_VERSION', async () => {
    const zk = fakePort();
    const store = new DocumentStore(zk, { clock: instantClock });
    await store.create('host-live', '/r', live(1));
    const bump = (current: HostLive | undefined, version: number | undefined) => {
      zk.nodes.set('/r', { data: store.encode('host-live', current!), version: (version ?? 0) + 1 });
      return current!;
    };
    await expect(store.updateDocument('host-live', '/r', bump, { retries: 3 })).rejects.toMatchObject({
      code: 'WHARF_ZK_BAD_VERSION',
    });
  });

  test('missing without createIfMissing fails; with it creates; SKIP_UPDATE writes nothing', async () => {
    const zk = fakePort();
    const store = new DocumentStore(zk);
    await expect(store.updateDocument('host-live', '/r', () => live(1))).rejects.toMatchObject({
      code: 'WHARF_ZK_NO_NODE',
    });
    expect(
      await store.updateDocument('host-live', '/r', () => live(1), { createIfMissing: true }),
    ).toMatchObject({
      written: true,
      version: 0,
    });
    expect(await store.updateDocument('host-live', '/r', () => SKIP_UPDATE)).toMatchObject({
      written: false,
      version: 0,
    });
  });
});
