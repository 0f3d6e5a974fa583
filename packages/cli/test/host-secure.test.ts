/**
 * `wharf host join` in its default, secure mode, end to end: a real director process signs the
 * host's certificates (CA pinned by fingerprint, keys made by the CLI), ZooKeeper is TLS-only with
 * ACLs by role, and the runner and the services it starts connect with their own certificates. A
 * refused enrolment (revoked token, wrong fingerprint) starts nothing and writes no key; a re-run
 * on an enrolled host keeps its certificates.
 */
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { paths, parseDocument } from '@wharf/model';
import { caFingerprint, readTlsCredentials, saveCa, writeTlsCredentials } from '@wharf/pki';
import {
  createRolesToken,
  isProcessAlive,
  startDirectorProcess,
  useTempDir,
  useZooKeeper,
  waitFor,
  type DirectorProcess,
} from '@wharf/testkit';
import { DocumentStore, ZkSession, probeZooKeeper, zkTlsFromEnv } from '@wharf/zk';
import { type RunnerRecord } from '../src/commands/host-join';
import { runCli } from './cli-process';

jest.setTimeout(120_000);

const zk = useZooKeeper({ tls: true });
const home = useTempDir('wharf-host-secure');
let director: DirectorProcess | undefined;
const runners: number[] = [];

afterEach(async () => {
  for (const pid of runners.splice(0)) await stopRunner(pid);
  await director?.stop();
  director = undefined;
});

async function stopRunner(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  await waitFor(() => !isProcessAlive(pid), { timeoutMs: 20_000 }).catch(() => process.kill(-pid, 'SIGKILL'));
}

const text = (v: string | Buffer): string => v.toString();

/** WHARF_ZK_TLS_* for the credentials in `dir` (the layout `host join` writes). */
const tlsEnv = (dir: string): Record<string, string> => ({
  WHARF_ZK_TLS_CA: join(dir, 'ca.pem'),
  WHARF_ZK_TLS_CERT: join(dir, 'cert.pem'),
  WHARF_ZK_TLS_KEY: join(dir, 'key.pem'),
});

/** The director process with the installation's CA and its own ZooKeeper certificate. */
async function startDirector(): Promise<{ url: string; fingerprint: string }> {
  const tls = zk.zk.tls!;
  const own = await tls.client({ hostId: 'dir-host', role: 'director' });
  await saveCa(join(home.path, 'director', 'ca'), tls.ca);
  const dir = join(home.path, 'director-tls');
  await writeTlsCredentials(dir, { ca: text(own.ca), cert: text(own.cert), key: text(own.key) });
  director = await startDirectorProcess({ zk, home: home.path, env: tlsEnv(dir) });
  return { url: director.url, fingerprint: caFingerprint(tls.ca.certPem) };
}

/** `wharf host join` (secure unless the args say otherwise); the token goes in the environment. */
async function hostJoin(host: string, token: string, args: string[]) {
  const hostHome = join(home.path, host);
  const result = await runCli(
    [
      'host',
      'join',
      '--zk',
      zk.connectString,
      '--zk-chroot',
      zk.chroot,
      '--zone',
      'zone-a',
      '--roles',
      'allocator',
      '--host-id',
      host,
      ...args,
    ],
    { WHARF_HOME: hostHome, WHARF_ROLES_TOKEN: token },
    60_000,
  );
  const record = await readFile(join(hostHome, 'run', `runner-${host}.json`), 'utf8').then(
    (t) => JSON.parse(t) as RunnerRecord,
    () => undefined,
  );
  if (record !== undefined) runners.push(record.pid);
  return { ...result, record, hostHome };
}

/** A session as one of the host's services, from the files the join wrote. */
async function sessionAs(hostHome: string, service: string): Promise<ZkSession> {
  const session = new ZkSession({
    connectString: zk.connectString,
    chroot: zk.chroot,
    tls: zkTlsFromEnv(tlsEnv(join(hostHome, 'tls', service)))!,
  });
  await session.start();
  return session;
}

const NO_AUTH = { code: 'WHARF_ZK_NO_AUTH' };

test('a refused enrolment starts nothing and writes no key: revoked token, wrong fingerprint', async () => {
  const api = await zk.session({ tls: await zk.zk.tls!.client({ hostId: 'api-host', role: 'api' }) });
  const { url, fingerprint } = await startDirector();

  const revoked = await createRolesToken(api, ['allocator']);
  await new DocumentStore(api).updateDocument(
    'roles-token',
    paths.rolesToken(revoked.split('_')[1]!),
    (r) => ({
      ...r!,
      revoked: new Date().toISOString(),
    }),
  );
  const refused = await hostJoin('sj-0', revoked, ['--director', url, '--ca-fingerprint', fingerprint]);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('error WHARF_FORBIDDEN: director refused enrolment: roles token revoked');
  await expect(readdir(refused.hostHome)).rejects.toMatchObject({ code: 'ENOENT' });

  const token = await createRolesToken(api, ['allocator']);
  const wrong = `sha256:${'0'.repeat(64)}`;
  const pinned = await hostJoin('sj-0', token, ['--director', url, '--ca-fingerprint', wrong]);
  expect(pinned.code).not.toBe(0);
  expect(pinned.stderr).toContain(
    'error WHARF_PKI_UNTRUSTED: the director CA does not match --ca-fingerprint',
  );
  await expect(readdir(pinned.hostHome)).rejects.toMatchObject({ code: 'ENOENT' });
  expect(await api.exists(paths.host('sj-0'))).toBeNull();
  // The token was never shown to a director it could not trust: it still enrols.
  const record = parseDocument('roles-token', (await api.get(paths.rolesToken(token.split('_')[1]!))).data);
  expect(record.enrolled_by).toBeUndefined();
});

test('join enrols, the runner and its allocator connect over mutual TLS and write only what their role allows; a re-run keeps the certificates', async () => {
  const api = await zk.session({ tls: await zk.zk.tls!.client({ hostId: 'api-host', role: 'api' }) });
  const { url, fingerprint } = await startDirector();
  const token = await createRolesToken(api, ['allocator']);

  const joined = await hostJoin('sj-1', token, ['--director', url, '--ca-fingerprint', fingerprint]);
  expect(joined.stderr).toBe('');
  expect(joined.code).toBe(0);
  expect(joined.stdout).toContain(`enrolled; certificates in ${join(joined.hostHome, 'tls')}`);
  expect(joined.stdout).toContain('over mutual TLS');
  expect(joined.record?.tls_dir).toBe(join(joined.hostHome, 'tls'));
  expect((await readdir(join(joined.hostHome, 'tls'))).sort()).toEqual(['allocator', 'runner']);
  expect(parseDocument('host-registration', (await api.get(paths.host('sj-1'))).data).roles).toEqual([
    'allocator',
  ]);
  // The runner started the allocator with its own certificate: its nodes carry its identity.
  await waitFor(async () => (await api.exists(paths.allocatorLive('allocator-sj-1'))) !== null, {
    timeoutMs: 30_000,
    message: 'allocator started over TLS by the joined runner',
  });
  const { acl } = await api.getAcl(paths.allocator('allocator-sj-1'));
  expect(acl.map((e) => e.id)).toContain('CN=sj-1,OU=allocator,O=Wharf');
  expect(acl.every((e) => e.scheme === 'x509')).toBe(true);

  // Only what the role allows: the allocator updates its advertisement, not a deployment.
  const allocator = await sessionAs(joined.hostHome, 'allocator');
  const runner = await sessionAs(joined.hostHome, 'runner');
  try {
    const ad = await allocator.get(paths.allocator('allocator-sj-1'));
    await expect(
      allocator.set(paths.allocator('allocator-sj-1'), ad.data, ad.stat.version),
    ).resolves.toBeDefined();
    await api.mkdirp('/deployments/d1');
    await expect(allocator.set('/deployments/d1', '{}', -1)).rejects.toMatchObject(NO_AUTH);
    await expect(allocator.create('/deployments/d2', '{}')).rejects.toMatchObject(NO_AUTH);
    await expect(runner.set(paths.allocator('allocator-sj-1'), ad.data, -1)).rejects.toMatchObject(NO_AUTH);
  } finally {
    await allocator.close();
    await runner.close();
  }
  // Without a certificate the ZooKeeper the host joined does not even answer.
  expect(await probeZooKeeper(zk.connectString, 2000)).toBe(false);

  // Re-run on the enrolled host: the certificates are kept (the one-shot token is spent).
  await stopRunner(joined.record!.pid);
  const before = await readTlsCredentials(join(joined.hostHome, 'tls', 'allocator'));
  const again = await hostJoin('sj-1', token, ['--director', url, '--ca-fingerprint', fingerprint]);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('kept the certificates in');
  expect(await readTlsCredentials(join(joined.hostHome, 'tls', 'allocator'))).toEqual(before);
  await expect(access(join(joined.hostHome, 'tls', 'proxy'))).rejects.toMatchObject({ code: 'ENOENT' });
});

test('--insecure enrols nothing: it refuses a director or a fingerprint', async () => {
  const result = await hostJoin('sj-2', 'wharf_r1_x', [
    '--insecure',
    '--ca-fingerprint',
    `sha256:${'0'.repeat(64)}`,
  ]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('--insecure takes no --director or --ca-fingerprint');
});

test('a secure --bootstrap enrols nothing: it starts with the certificates already there, else refuses', async () => {
  const refused = await hostJoin('sj-3', '', ['--bootstrap']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('error WHARF_VALIDATION: no valid certificates for this host');
  await expect(readdir(refused.hostHome)).rejects.toMatchObject({ code: 'ENOENT' });

  for (const service of ['runner', 'allocator']) {
    const issued = await zk.zk.tls!.client({ hostId: 'sj-3', role: service });
    const dir = join(refused.hostHome, 'tls', service);
    await writeTlsCredentials(dir, { ca: text(issued.ca), cert: text(issued.cert), key: text(issued.key) });
  }
  const started = await hostJoin('sj-3', '', ['--bootstrap']);
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  expect(started.stdout).toContain('kept the certificates in');
  const api = await zk.session({ tls: await zk.zk.tls!.client({ hostId: 'api-host', role: 'api' }) });
  expect(parseDocument('host-registration', (await api.get(paths.host('sj-3'))).data).roles).toEqual([
    'allocator',
  ]);
  const { acl } = await api.getAcl(paths.host('sj-3'));
  expect(acl.map((e) => e.id)).toContain('CN=sj-3,OU=runner,O=Wharf');
});
