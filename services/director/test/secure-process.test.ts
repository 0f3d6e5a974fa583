/**
 * The real `wharf-director` process against a TLS-only ZooKeeper with ACLs by role (issue 11,
 * items 2, 4 and 8): a host enrols one certificate per service its roles start, and those
 * certificates are what the ACLs understand — the api's writes a plan, the proxy's gets NoAuth;
 * a revoked roles token gets nothing; `renewCertificates` (`wharf pki rotate`) re-issues every
 * service certificate over mutual TLS with the current ones, and the rotated files still work.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument, paths } from '@wharf/model';
import {
  enrolHost,
  readTlsCredentials,
  renewCertificates,
  saveCa,
  verifyCertificateChain,
  writeTlsCredentials,
} from '@wharf/pki';
import {
  createRolesToken,
  persistentTree,
  startDirectorProcess,
  useTempDir,
  useZooKeeper,
  type DirectorProcess,
} from '@wharf/testkit';
import { DocumentStore, ZkSession, type ZkTlsOptions, zkTlsFromEnv } from '@wharf/zk';
import { postDirector } from './harness';

jest.setTimeout(60_000);

const zk = useZooKeeper({ tls: true });
const home = useTempDir('wharf-director-secure');
let director: DirectorProcess | undefined;

afterEach(async () => {
  await director?.stop();
  director = undefined;
});

const text = (v: string | Buffer): string => v.toString();

/** WHARF_ZK_TLS_* for the credentials in `dir` (the layout of `writeTlsCredentials`). */
const tlsEnv = (dir: string): Record<string, string> => ({
  WHARF_ZK_TLS_CA: join(dir, 'ca.pem'),
  WHARF_ZK_TLS_CERT: join(dir, 'cert.pem'),
  WHARF_ZK_TLS_KEY: join(dir, 'key.pem'),
});

/** Starts the director process with the installation CA and its own ZooKeeper certificate. */
async function startDirector(): Promise<DirectorProcess> {
  const tls = zk.zk.tls!;
  const own = await tls.client({ hostId: 'dir-host', role: 'director' });
  await saveCa(join(home.path, 'director', 'ca'), tls.ca);
  const tlsDir = join(home.path, 'director-tls');
  await writeTlsCredentials(tlsDir, { ca: text(own.ca), cert: text(own.cert), key: text(own.key) });
  director = await startDirectorProcess({ zk, home: home.path, env: tlsEnv(tlsDir) });
  return director;
}

/** A session as a service, from the files enrolment wrote (the way the runner's services read them). */
async function sessionFrom(dir: string): Promise<ZkSession> {
  const tls: ZkTlsOptions = zkTlsFromEnv(tlsEnv(dir))!;
  const session = new ZkSession({ connectString: zk.connectString, chroot: zk.chroot, tls });
  await session.start();
  return session;
}

test('enrolment certifies services: the api certificate writes a plan, the proxy one gets NoAuth', async () => {
  const api = await zk.session({ tls: await zk.zk.tls!.client({ hostId: 'api-host', role: 'api' }) });
  const { url, metricsUrl } = await startDirector();
  const { fingerprint } = parseDocument('director-ca', (await api.get(paths.directorCa())).data);
  const dir = join(home.path, 'host-9-tls');

  // A revoked token gets nothing: 403 naming the token, no file, nothing written.
  const revoked = await createRolesToken(api, ['coordinator', 'proxy']);
  await new DocumentStore(api).updateDocument(
    'roles-token',
    paths.rolesToken(revoked.split('_')[1]!),
    (record) => ({ ...record!, revoked: new Date().toISOString() }),
  );
  const before = await persistentTree(api);
  const refused = enrolHost({
    director: url,
    caFingerprint: fingerprint,
    token: revoked,
    hostId: 'host-9',
    roles: ['coordinator', 'proxy'],
    dir,
  });
  await expect(refused).rejects.toMatchObject({
    code: 'WHARF_FORBIDDEN',
    status: 403,
    details: [{ path: 'token', message: 'roles token revoked' }],
  });
  await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  expect(await persistentTree(api)).toEqual(before);

  const token = await createRolesToken(api, ['coordinator', 'proxy']);
  const result = await enrolHost({
    director: url,
    caFingerprint: fingerprint,
    token,
    hostId: 'host-9',
    roles: ['coordinator', 'proxy'],
    dir,
  });
  expect(result.services.map((s) => s.x509Id)).toEqual([
    'CN=host-9,OU=runner,O=Wharf',
    'CN=host-9,OU=api,O=Wharf',
    'CN=host-9,OU=constructor,O=Wharf',
    'CN=host-9,OU=proxy,O=Wharf',
  ]);

  const hostApi = await sessionFrom(join(dir, 'api'));
  const hostProxy = await sessionFrom(join(dir, 'proxy'));
  try {
    await hostApi.mkdirp('/deployments/d1/plan');
    await hostApi.create('/deployments/d1/plan/pending', '{"v":1}');
    const NO_AUTH = { code: 'WHARF_ZK_NO_AUTH' };
    await expect(hostProxy.set('/deployments/d1/plan/pending', '{"v":"evil"}', -1)).rejects.toMatchObject(
      NO_AUTH,
    );
    await expect(hostProxy.create('/deployments/d2', '{}')).rejects.toMatchObject(NO_AUTH);
    expect((await hostProxy.get('/deployments/d1/plan/pending')).data.toString()).toBe('{"v":1}');
  } finally {
    await hostApi.close();
    await hostProxy.close();
  }

  // Rotation: every service certificate renews itself over mutual TLS, files replaced atomically.
  const old = await readTlsCredentials(join(dir, 'api'));
  const renewed = await renewCertificates({ director: url, dir });
  expect(renewed.map((s) => s.service)).toEqual(['api', 'constructor', 'proxy', 'runner']);
  const fresh = await readTlsCredentials(join(dir, 'api'));
  expect(fresh.key).not.toBe(old.key);
  const info = verifyCertificateChain(fresh.cert, { trustedPem: fresh.ca, purpose: 'clientAuth' });
  expect(info.x509Id).toBe('CN=host-9,OU=api,O=Wharf');
  expect(info.serialHex).not.toBe(verifyCertificateChain(old.cert, { trustedPem: old.ca }).serialHex);
  const rotatedApi = await sessionFrom(join(dir, 'api'));
  try {
    await rotatedApi.set('/deployments/d1/plan/pending', '{"v":2}', -1);
  } finally {
    await rotatedApi.close();
  }

  // Renewal needs a certificate of the installation: none, or another CA's, is 401.
  const csrBody = JSON.stringify({ csr: 'x' });
  expect((await postDirector(url, '/renew', old.ca, csrBody)).status).toBe(401);
  const foreign = await zk.zk.tls!.foreignClient({ hostId: 'host-9', role: 'api' });
  expect((await postDirector(url, '/renew', old.ca, csrBody, foreign)).body.error).toMatchObject({
    code: 'WHARF_UNAUTHORIZED',
    details: [{ path: 'certificate' }],
  });

  const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
  expect(metrics).toMatch(/wharf_certificate_expiry_seconds\{service="director",cn="director-1"\} \d{6,}/);
  expect(metrics).toMatch(/wharf_certificate_expiry_seconds\{service="director",cn="dir-host"\} \d{6,}/);
  expect(metrics).toMatch(/wharf_director_certificates_issued_total\{ou="api",service="director"\} 2/);
});
