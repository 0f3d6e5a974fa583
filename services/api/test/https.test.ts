/**
 * The api over HTTPS (issue 11 §5) against a real ZooKeeper: with `WHARF_API_TLS_CERT`/`_KEY` it
 * serves TLS only, with a certificate from the installation's CA; a client trusting another CA
 * refuses it, plain HTTP gets no answer; rewriting the files rotates the served certificate
 * without a restart (a new connection sees the new serial), and a half-written pair is not taken.
 * A bad pair stops the start with a coded error rather than falling back to plain HTTP.
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { type TLSSocket } from 'node:tls';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestLogger } from '@wharf/observability';
import {
  createTestTls,
  startZooKeeper,
  tempDir,
  waitFor,
  type TempDir,
  type TestTls,
  type TestZooKeeper,
} from '@wharf/testkit';
import { configFromEnv, startApi, type RunningApi } from '../src';
import { TEST_VERSIONS } from './helpers/harness';

jest.setTimeout(60_000);

const RELOAD_MS = 200;

interface Answer {
  status: number;
  serial: string;
}

/** GET /api/v1/health over HTTPS trusting `ca`; resolves with the status and the served serial. */
function getHealth(url: string, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}/api/v1/health`, { ca, agent: false }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, serial }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A plain HTTP request to the TLS port: rejected or answered with something that is not 200. */
function plainStatus(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/health', timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.end();
  });
}

describe('api over HTTPS', () => {
  let zk: TestZooKeeper;
  let tls: TestTls;
  let home: TempDir;
  let api: RunningApi | undefined;
  let certFile: string;
  let keyFile: string;

  const issue = (issuer: TestTls['ca']) =>
    issuer.issue({
      profile: 'server',
      subject: { hostId: 'api-host', role: 'api' },
      sans: { dns: ['localhost'], ips: ['127.0.0.1'] },
    });

  const configWith = (env: Record<string, string>) =>
    configFromEnv(
      {
        WHARF_ZK: zk.connectString,
        WHARF_ZK_CHROOT: '/api-https',
        WHARF_HOME: home.path,
        WHARF_API_PORT: '0',
        ...env,
      },
      { hostname: 'test', pid: process.pid },
    );

  const start = (env: Record<string, string>) =>
    startApi({
      config: configWith(env),
      logger: createTestLogger(),
      version: '0.0.0-test',
      supportedVersions: TEST_VERSIONS,
      print: () => undefined,
      pid: process.pid,
      tlsReloadIntervalMs: RELOAD_MS,
    });

  beforeAll(async () => {
    [zk, tls, home] = await Promise.all([startZooKeeper(), createTestTls(), tempDir('wharf-api-https')]);
    certFile = join(home.path, 'api.pem');
    keyFile = join(home.path, 'api-key.pem');
    const first = await issue(tls.ca);
    await Promise.all([
      writeFile(certFile, first.certPem),
      writeFile(keyFile, first.keyPem, { mode: 0o600 }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await zk?.stop();
    await home?.cleanup();
  });

  it('serves HTTPS only, with the CA-issued certificate', async () => {
    api = await start({ WHARF_API_TLS_CERT: certFile, WHARF_API_TLS_KEY: keyFile });
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await getHealth(api.url, tls.ca.certPem)).status).toBe(200);
    await expect(getHealth(api.url, tls.otherCa.certPem)).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(await plainStatus(api.port)).not.toBe(200);
  });

  it('rotates the certificate when the files change, and ignores a half-written pair', async () => {
    const url = api!.url;
    const before = (await getHealth(url, tls.ca.certPem)).serial;
    const next = await issue(tls.ca);

    // The certificate first: it does not match the old key, so the old pair keeps being served.
    await writeFile(certFile, next.certPem);
    await new Promise((r) => setTimeout(r, RELOAD_MS * 4));
    expect((await getHealth(url, tls.ca.certPem)).serial).toBe(before);

    await writeFile(keyFile, next.keyPem);
    await waitFor(async () => (await getHealth(url, tls.ca.certPem)).serial !== before, {
      timeoutMs: 10_000,
    });
    const after = await getHealth(url, tls.ca.certPem);
    expect(after).toEqual({ status: 200, serial: expect.not.stringMatching(before) });
  });

  it('refuses to start with a key that is not the certificate’s, or only half the pair', async () => {
    const stray = await issue(tls.ca);
    const strayKey = join(home.path, 'stray-key.pem');
    await writeFile(strayKey, stray.keyPem, { mode: 0o600 });
    await expect(start({ WHARF_API_TLS_CERT: certFile, WHARF_API_TLS_KEY: strayKey })).rejects.toMatchObject({
      code: 'WHARF_VALIDATION',
    });
    expect(() => configWith({ WHARF_API_TLS_CERT: certFile })).toThrow(/WHARF_API_TLS_KEY/);
    expect(() => configWith({ WHARF_API_TLS_CERT: 'relative.pem', WHARF_API_TLS_KEY: keyFile })).toThrow(
      /WHARF_API_TLS_CERT/,
    );
  });
});
