import { isWharfError } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { ZkSession, type ZkTransactionFailureDetails } from '@wharf/zk';

const zk = useZooKeeper();

function codeOf(err: unknown): string | undefined {
  return isWharfError(err) ? err.code : undefined;
}

describe('ZkSession operations', () => {
  test('creates the chroot and maps paths under it', async () => {
    const s = await zk.session();
    await s.create('/a', 'one');
    const raw = await zk.session({ chroot: '/' });
    expect((await raw.get(`${zk.chroot}/a`)).data.toString()).toBe('one');
  });

  test('CRUD with versions and typed errors', async () => {
    const s = await zk.session();
    await s.mkdirp('/deployments/x');
    const created = await s.create('/deployments/x/doc', Buffer.from('v0'));
    expect(created).toBe('/deployments/x/doc');
    const { data, stat } = await s.get('/deployments/x/doc');
    expect(data.toString()).toBe('v0');
    expect(stat.version).toBe(0);
    expect(stat.ephemeralOwner).toBeNull();
    const stat1 = await s.set('/deployments/x/doc', 'v1', 0);
    expect(stat1.version).toBe(1);
    await expect(s.set('/deployments/x/doc', 'v2', 0)).rejects.toMatchObject({
      code: 'WHARF_ZK_BAD_VERSION',
    });
    await expect(s.create('/deployments/x/doc')).rejects.toMatchObject({ code: 'WHARF_ZK_NODE_EXISTS' });
    await expect(s.get('/nope')).rejects.toMatchObject({ code: 'WHARF_ZK_NO_NODE' });
    await expect(s.delete('/deployments/x')).rejects.toMatchObject({ code: 'WHARF_ZK_NOT_EMPTY' });
    expect(await s.children('/deployments/x')).toEqual(['doc']);
    expect(await s.exists('/nope')).toBeNull();
    await s.deleteRecursive('/deployments');
    expect(await s.exists('/deployments')).toBeNull();
    await s.deleteRecursive('/deployments'); // missing is fine
  });

  test('sequential and ephemeral modes', async () => {
    const s = await zk.session();
    await s.mkdirp('/q');
    const a = await s.create('/q/item-', 'a', 'persistent_sequential');
    const b = await s.create('/q/item-', 'b', 'ephemeral_sequential');
    expect(a).toMatch(/^\/q\/item-\d{10}$/);
    expect(b > a).toBe(true);
    const stat = await s.exists(b);
    expect(stat?.ephemeralOwner).toBe(s.sessionId);
    await s.close();
    const t = await zk.session();
    expect(await t.children('/q')).toEqual([a.slice(3)]);
  });

  test('JSON helpers round-trip and reject malformed documents', async () => {
    const s = await zk.session();
    await s.createJson('/doc', { n: 1 });
    const { value, stat } = await s.getJson<{ n: number }>('/doc');
    expect(value.n).toBe(1);
    await s.setJson('/doc', { n: 2 }, stat.version);
    const parsed = await s.getJson('/doc', (v) => {
      if (typeof v !== 'object' || v === null || !('n' in v)) throw new Error('bad');
      return v as { n: number };
    });
    expect(parsed.value.n).toBe(2);
    await s.create('/bad', '{not json');
    await expect(s.getJson('/bad')).rejects.toMatchObject({ code: 'WHARF_VALIDATION' });
  });

  test('refuses writes above the size limit', async () => {
    const s = await zk.session({ maxDataBytes: 1024 });
    await expect(s.create('/big', Buffer.alloc(1025))).rejects.toMatchObject({
      code: 'WHARF_PAYLOAD_TOO_LARGE',
    });
    await s.create('/ok', Buffer.alloc(1024));
    await expect(s.set('/ok', Buffer.alloc(2048), -1)).rejects.toMatchObject({
      code: 'WHARF_PAYLOAD_TOO_LARGE',
    });
    expect(await s.exists('/big')).toBeNull();
  });

  test('transactions are all-or-nothing', async () => {
    const s = await zk.session();
    await s.create('/cfg', 'v0');
    let failure: unknown;
    try {
      await s.transaction().create('/t1', 'x').set('/cfg', 'v1', 0).check('/cfg', 7).create('/t2').commit();
    } catch (err) {
      failure = err;
    }
    expect(codeOf(failure)).toBe('WHARF_ZK_TRANSACTION_FAILED');
    const details = (failure as { details: ZkTransactionFailureDetails }).details;
    expect(details.failedIndex).toBe(2);
    expect(details.results.map((r) => r.status)).toEqual(['rolledBack', 'rolledBack', 'failed', 'skipped']);
    expect(details.results[2]).toMatchObject({
      op: 'check',
      zk: 'BAD_VERSION',
      code: 'WHARF_ZK_BAD_VERSION',
    });
    expect(await s.exists('/t1')).toBeNull();
    expect(await s.exists('/t2')).toBeNull();
    expect((await s.get('/cfg')).data.toString()).toBe('v0');

    const ok = await s.transaction().create('/t1', 'x').set('/cfg', 'v1', 0).delete('/t1').commit();
    expect(ok[0]).toEqual({ op: 'create', path: '/t1', createdPath: '/t1' });
    expect(ok[1]).toMatchObject({ op: 'set', stat: { version: 1 } });
    expect(await s.exists('/t1')).toBeNull();
  });

  test('a transaction checks version 0 exactly (the client library would treat it as any version)', async () => {
    const s = await zk.session();
    await s.create('/v0', 'a');
    await s.set('/v0', 'b', 0); // now at version 1
    for (const build of [
      () => s.transaction().set('/v0', 'stale', 0),
      () => s.transaction().check('/v0', 0).create('/v0-child'),
      () => s.transaction().delete('/v0', 0),
    ]) {
      let failure: unknown;
      try {
        await build().commit();
      } catch (err) {
        failure = err;
      }
      expect(codeOf(failure)).toBe('WHARF_ZK_TRANSACTION_FAILED');
    }
    expect((await s.get('/v0')).data.toString()).toBe('b');
    expect(await s.exists('/v0-child')).toBeNull();
    await s.create('/v0-fresh', 'x');
    await s.transaction().set('/v0-fresh', 'y', 0).commit();
    expect((await s.get('/v0-fresh')).stat.version).toBe(1);
  });

  test('operations on a closed session fail with WHARF_ZK_CLOSED; close is idempotent', async () => {
    const s = await zk.session();
    await s.close();
    await s.close();
    expect(s.state).toBe('closed');
    await expect(s.get('/')).rejects.toMatchObject({ code: 'WHARF_ZK_CLOSED' });
  });

  test('start fails with WHARF_ZK_CONNECTION_LOSS when nothing listens', async () => {
    const s = new ZkSession({ connectString: '127.0.0.1:1', connectTimeoutMs: 500 });
    await expect(s.start()).rejects.toMatchObject({ code: 'WHARF_ZK_CONNECTION_LOSS' });
    expect(s.state).toBe('closed');
  });

  test('close() during start() aborts it promptly with WHARF_ZK_CLOSED', async () => {
    const s = new ZkSession({ connectString: '127.0.0.1:1', connectTimeoutMs: 20_000 });
    const started = s.start();
    const t0 = Date.now();
    await s.close();
    await expect(started).rejects.toMatchObject({ code: 'WHARF_ZK_CLOSED' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
