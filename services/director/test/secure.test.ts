/**
 * The director with a TLS-only ZooKeeper (mutual TLS, ACLs by role): it connects with a director
 * certificate, reads quorum health over TLS, consumes a token the api created (the ACL lets the
 * director write token records), and the certificate a host enrols for is accepted by ZooKeeper
 * as that host's identity — which can read `/director/ca` but not rewrite it.
 */
import { join } from 'node:path';
import { parseDocument, paths } from '@wharf/model';
import { enrolHost, readTlsCredentials } from '@wharf/pki';
import { createRolesToken, useZooKeeper } from '@wharf/testkit';
import { ZkSession } from '@wharf/zk';
import { startTestDirector, useDirectorTest } from './harness';

jest.setTimeout(60_000);

const zk = useZooKeeper({ tls: true });
const t = useDirectorTest();

test('a host enrols over a TLS-only ZooKeeper and its certificate is its ZooKeeper identity', async () => {
  const tls = zk.zk.tls!;
  const directorTls = await tls.client({ hostId: 'dir-host', role: 'director' });
  const session = await zk.session({ tls: directorTls });
  const api = await zk.session({ tls: await tls.client({ hostId: 'api-host', role: 'api' }) });
  const director = (t.director = await startTestDirector(zk, session, { ca: tls.ca, zkTls: directorTls }));
  const status = parseDocument(
    'director-status',
    (await session.get(paths.directorStatus('director-1'))).data,
  );
  expect(status.quorum).toMatchObject({
    healthy: true,
    servers: [expect.objectContaining({ mode: 'standalone' })],
  });

  const token = await createRolesToken(api, ['proxy']);
  await enrolHost({
    director: director.url,
    caFingerprint: director.fingerprint,
    token,
    hostId: 'edge-1',
    roles: ['proxy'],
    dir: t.out.path,
  });
  const record = parseDocument('roles-token', (await api.get(paths.rolesToken(token.split('_')[1]!))).data);
  expect(record.enrolled_by).toBe('edge-1');

  const files = await readTlsCredentials(join(t.out.path, 'proxy'));
  const proxy = new ZkSession({ connectString: zk.connectString, chroot: zk.chroot, tls: files });
  try {
    await proxy.start();
    const ca = await proxy.get(paths.directorCa());
    expect(parseDocument('director-ca', ca.data).fingerprint).toBe(director.fingerprint);
    await expect(proxy.set(paths.directorCa(), ca.data, ca.stat.version)).rejects.toMatchObject({
      code: 'WHARF_ZK_NO_AUTH',
    });
  } finally {
    await proxy.close();
  }
});
