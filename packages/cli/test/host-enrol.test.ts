/**
 * `wharf host enrol` as a user runs it, against the real `wharf-director` process (its main:
 * environment, CA created in WHARF_HOME/ca, HTTPS enrolment, /health and /metrics): certificates
 * are written for each service of the host's roles, `wharf pki rotate` renews them; a wrong pin or
 * a used token is refused with exit code 1.
 */
import { join } from 'node:path';
import { parseDocument, paths } from '@wharf/model';
import { readTlsCredentials, verifyCertificateChain } from '@wharf/pki';
import {
  createRolesToken,
  persistentTree,
  startDirectorProcess,
  useZooKeeper,
  useTempDir,
  type DirectorProcess,
} from '@wharf/testkit';
import { runCli } from './cli-process';

jest.setTimeout(60_000);

const zk = useZooKeeper();
const home = useTempDir('wharf-enrol-cli');
let director: DirectorProcess | undefined;

afterEach(async () => {
  await director?.stop();
  director = undefined;
});

async function get(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

test('wharf host enrol gets certificates from a running director; a wrong pin or a used token is refused', async () => {
  const session = await zk.session();
  director = await startDirectorProcess({ zk, home: home.path });
  const port = new URL(director.url).port;
  const metricsPort = Number(new URL(director.metricsUrl).port);
  const { fingerprint } = parseDocument('director-ca', (await session.get(paths.directorCa())).data);
  // Registered for the api's Prometheus service discovery, with its metrics address.
  const registered = parseDocument(
    'service-registration',
    (await session.get(paths.serviceLive('director', 'director-1'))).data,
  );
  expect(registered).toMatchObject({ service: 'director', address: '127.0.0.1', port: metricsPort });
  const token = await createRolesToken(session, ['allocator', 'proxy']);
  const args = (pin: string) => [
    'host',
    'enrol',
    '--director',
    `https://127.0.0.1:${port}`,
    '--ca-fingerprint',
    pin,
    '--roles',
    'allocator,proxy',
    '--host-id',
    'edge-7',
    '--dir',
    join(home.path, 'tls'),
  ];
  const env = { WHARF_ROLES_TOKEN: token };

  const before = await persistentTree(session);
  const wrongPin = await runCli(args(`sha256:${'0'.repeat(64)}`), env);
  expect([wrongPin.code, wrongPin.stderr]).toEqual([
    1,
    expect.stringContaining('does not match --ca-fingerprint'),
  ]);
  expect(await persistentTree(session)).toEqual(before);

  const ok = await runCli(args(fingerprint), env);
  expect([ok.code, ok.stderr]).toEqual([0, '']);
  expect(ok.stdout).toContain('allocator: CN=edge-7,OU=allocator,O=Wharf');
  const files = await readTlsCredentials(join(home.path, 'tls', 'proxy'));
  expect(verifyCertificateChain(files.cert, { trustedPem: files.ca }).x509Id).toBe(
    'CN=edge-7,OU=proxy,O=Wharf',
  );

  // `wharf pki rotate`: each certificate renews itself over mutual TLS; new key, same identity.
  const rotated = await runCli(
    ['pki', 'rotate', '--director', `https://127.0.0.1:${port}`, '--dir', join(home.path, 'tls')],
    {},
  );
  expect([rotated.code, rotated.stderr]).toEqual([0, '']);
  expect(rotated.stdout).toContain('3 certificate(s) renewed');
  const after = await readTlsCredentials(join(home.path, 'tls', 'proxy'));
  expect(after.key).not.toBe(files.key);
  expect(verifyCertificateChain(after.cert, { trustedPem: after.ca }).x509Id).toBe(
    'CN=edge-7,OU=proxy,O=Wharf',
  );

  const again = await runCli(args(fingerprint), env);
  expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('roles token already used')]);

  const metrics = (await get(`http://127.0.0.1:${metricsPort}/metrics`))!.text;
  expect(metrics).toMatch(
    /wharf_director_certificate_expiry_seconds\{certificate="ca",service="director"\} \d+/,
  );
  expect(metrics).toMatch(/wharf_director_enrolments_total\{result="refused",service="director"\} 1/);
});
