import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { freePort, useZooKeeper, waitFor } from '@wharf/testkit';
import {
  WORLD_READABLE,
  ZkSession,
  expireSession,
  fourLetterWord,
  probeZooKeeper,
  x509Acl,
  type ZkStateChange,
  type ZkWatchEvent,
} from '@wharf/zk';

/** A refused client retries quickly; this bounds how long a test waits to see it fail. */
const REFUSED_CONNECT_TIMEOUT_MS = 3000;

// One TLS-only server for the file: secureClientPort, ssl.clientAuth=need, x509 auth.
const zk = useZooKeeper({ tls: true });

const ALLOCATOR = { hostId: 'host-a', role: 'allocator' };
const PROXY = { hostId: 'host-b', role: 'proxy' };

function codeOf(err: unknown): unknown {
  return (err as { code?: unknown }).code;
}

describe('ZooKeeper over mutual TLS', () => {
  test('the server listens only on its TLS port', async () => {
    const { host, port } = zk.zk.server;
    const tls = zk.zk.tls!;
    expect(await fourLetterWord(host, port, 'ruok', 2000, await tls.client())).toBe('imok');
    // Plaintext to the same port gets nothing, and there is no plaintext client port at all.
    expect(await probeZooKeeper(zk.connectString, 1000)).toBe(false);
    const cfg = await readFile(join(zk.zk.dataDir, 'zoo.cfg'), 'utf8');
    expect(cfg).toMatch(/^secureClientPort=\d+$/m);
    expect(cfg).not.toMatch(/^clientPort=/m);
    expect(
      await fourLetterWord(host, port, 'ruok', 1000, {
        secureContext: createSecureContext({ ca: tls.ca.certPem }),
        servername: undefined,
      }),
    ).toBeNull();
  });

  test('a client with a CA-signed certificate creates, reads, watches, and survives a server restart', async () => {
    const a = await zk.session();
    const b = await zk.session({ tls: await zk.zk.tls!.client(PROXY) });
    await a.create('/doc', 'v1');
    expect((await b.get('/doc')).data.toString()).toBe('v1');

    const events: ZkWatchEvent[] = [];
    await b.get('/doc', (event) => events.push(event));
    await a.set('/doc', 'v2', -1);
    await waitFor(() => events.length === 1, { message: 'data watch fired over TLS' });
    expect(events[0]).toEqual({ type: 'dataChanged', path: '/doc' });

    const changes: ZkStateChange[] = [];
    a.onStateChange((change) => changes.push(change));
    await zk.zk.restart();
    await waitFor(() => changes.some((c) => c.event === 'reconnected'), {
      timeoutMs: 15_000,
      message: 'session re-established over TLS after the restart',
    });
    await a.set('/doc', 'v3', -1);
    expect((await b.get('/doc')).data.toString()).toBe('v3');
  }, 30_000);

  test('after the server expires the session, a new one is built over TLS and ephemerals return', async () => {
    const s = await zk.session();
    await s.registerEphemeral('/live', 'me');
    const before = s.sessionId;
    await expireSession(s);
    await waitFor(
      async () => s.state === 'connected' && s.sessionId !== before && (await s.exists('/live')) !== null,
      {
        timeoutMs: 15_000,
        message: 'new TLS session with the ephemeral re-created',
      },
    );
    expect(s.sessionCount).toBe(2);
  }, 30_000);

  test('an ensemble connect string: a server that does not answer is skipped, over TLS too', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    for (const connectString of [`${dead},${zk.connectString}`, `${zk.connectString},${dead}`]) {
      const s = await zk.session({ connectString });
      await s.mkdirp('/ensemble');
      expect(await s.exists('/ensemble')).not.toBeNull();
      await s.close();
    }
  }, 20_000);

  test('a client without a certificate is refused', async () => {
    const plain = new ZkSession({
      connectString: zk.connectString,
      chroot: zk.chroot,
      connectTimeoutMs: REFUSED_CONNECT_TIMEOUT_MS,
    });
    await expect(plain.start()).rejects.toMatchObject({ code: 'WHARF_ZK_CONNECTION_LOSS' });
    expect(plain.state).toBe('closed');
  }, 15_000);

  test('a certificate from another CA is refused, and the error says why', async () => {
    const foreign = new ZkSession({
      connectString: zk.connectString,
      chroot: zk.chroot,
      connectTimeoutMs: REFUSED_CONNECT_TIMEOUT_MS,
      tls: await zk.zk.tls!.foreignClient(ALLOCATOR),
    });
    const err = await foreign.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('WHARF_ZK_CONNECTION_LOSS');
    expect(err).toMatchObject({
      details: { transportError: expect.stringMatching(/CERTIFICATE_UNKNOWN|UNKNOWN_CA|BAD_CERTIFICATE/) },
    });
  }, 15_000);

  test('a key that does not belong to the certificate is refused when the session is built', async () => {
    const mine = await zk.zk.tls!.client(ALLOCATOR);
    const theirs = await zk.zk.tls!.client(PROXY);
    expect(
      () => new ZkSession({ connectString: zk.connectString, tls: { ...mine, key: theirs.key } }),
    ).toThrow(
      expect.objectContaining({
        code: 'WHARF_VALIDATION',
        details: expect.objectContaining({ option: 'tls.cert' }),
      }),
    );
  });

  test('x509 ACLs: only the certificate named in the ACL may write', async () => {
    const tls = zk.zk.tls!;
    const allocator = await zk.session({ tls: await tls.client(ALLOCATOR) });
    const proxy = await zk.session({ tls: await tls.client(PROXY) });
    const owner = tls.x509Id(ALLOCATOR);
    expect(owner).toBe('CN=host-a,OU=allocator,O=Wharf');

    await allocator.create('/status', 'ok', 'persistent', [x509Acl(owner), WORLD_READABLE]);
    const { acl } = await proxy.getAcl('/status');
    expect(acl).toEqual([
      { scheme: 'x509', id: owner, perms: ['read', 'write', 'create', 'delete', 'admin'] },
      { scheme: 'world', id: 'anyone', perms: ['read'] },
    ]);
    await allocator.set('/status', 'still ok', -1);
    expect((await proxy.get('/status')).data.toString()).toBe('still ok');

    await expect(proxy.set('/status', 'hijacked', -1)).rejects.toMatchObject({
      code: 'WHARF_ZK_NO_AUTH',
      status: 403,
    });
    await expect(proxy.create('/status/child', 'x')).rejects.toMatchObject({ code: 'WHARF_ZK_NO_AUTH' });
    // Deleting is the parent's permission: the chroot, created in secure mode with the policy's
    // root ACL (everyone reads and creates, nobody but the director deletes).
    await expect(proxy.delete('/status')).rejects.toMatchObject({ code: 'WHARF_ZK_NO_AUTH' });
    await expect(allocator.exists('/status')).resolves.not.toBeNull();
  }, 20_000);
});
