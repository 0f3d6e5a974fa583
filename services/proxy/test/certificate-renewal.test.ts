/**
 * The TLS port's certificate kept current without a restart (certificate-renewal.ts), on a real
 * proxy's TLS port: operator files re-read when rotated (a half-rotated pair never taken), and a
 * certificate issued from Wharf's CA re-issued once a third of its lifetime is left.
 */
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMetrics, createTestLogger, type TestLogger } from '@wharf/observability';
import { type CertificateAuthority, createRootCa, saveCa } from '@wharf/pki';
import { tempDir, waitFor, type TempDir } from '@wharf/testkit';
import { StaticRouteSource, createProxy, type WharfProxy } from '../src';
import { RENEW_BEFORE_EXPIRY_MS, renewalDue, startCertificateRenewal } from '../src/certificate-renewal';
import {
  ISSUED_VALIDITY_DAYS,
  loadServingCertificate,
  type ServingCertificate,
} from '../src/serving-certificate';
import { servedSerial } from './tls-helpers';

const DOMAIN = 'wharf.test';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Short intervals so the tests see several checks; production checks every 5 s / 1 h. */
const INTERVAL_MS = 50;

let dir: TempDir;
let ca: CertificateAuthority;
let proxy: WharfProxy | undefined;
let stop: (() => void) | undefined;

beforeAll(async () => {
  dir = await tempDir('wharf-proxy-renewal');
  ca = await createRootCa();
  await saveCa(join(dir.path, 'ca'), ca);
}, 30_000);

afterEach(async () => {
  stop?.();
  stop = undefined;
  await proxy?.close();
  proxy = undefined;
});

afterAll(() => dir?.cleanup());

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

async function startTlsProxy(certificate: ServingCertificate, logger: TestLogger): Promise<number> {
  const metrics = createMetrics('proxy');
  proxy = createProxy({
    routeSource: new StaticRouteSource([]),
    logger,
    metrics,
    id: 'proxy-renewal-test',
    domain: DOMAIN,
    port: 0,
    tls: { port: 0, certificate },
  });
  await proxy.start();
  return proxy.tlsAddress()!.port;
}

function issue(validityDays: number) {
  return ca.issue({
    profile: 'server',
    subject: { hostId: 'host-1', role: 'proxy' },
    sans: { dns: [`*.${DOMAIN}`] },
    validityDays,
  });
}

describe('renewalDue', () => {
  it('is due once less than a third of an issued lifetime is left', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    expect(RENEW_BEFORE_EXPIRY_MS).toBe((ISSUED_VALIDITY_DAYS / 3) * DAY_MS);
    expect(renewalDue({ notAfter: new Date(now + RENEW_BEFORE_EXPIRY_MS + 1) }, now)).toBe(false);
    expect(renewalDue({ notAfter: new Date(now + RENEW_BEFORE_EXPIRY_MS - 1) }, now)).toBe(true);
    expect(renewalDue({ notAfter: new Date(now - 1) }, now)).toBe(true);
  });
});

describe('operator files', () => {
  it('serves a rotated pair to new connections, never a half-rotated one', async () => {
    const [first, second] = await Promise.all([issue(5), issue(60)]);
    const certFile = join(dir.path, 'cert.pem');
    const keyFile = join(dir.path, 'key.pem');
    await writeFile(certFile, first.certPem);
    await writeFile(keyFile, first.keyPem, { mode: 0o600 });
    const source = { kind: 'files', certFile, keyFile } as const;
    const current = await loadServingCertificate(source, DOMAIN, 'host-1');
    const logger = createTestLogger();
    const port = await startTlsProxy(current, logger);
    expect(await servedSerial(port)).toBe(serialOf(first.certPem));
    const applied: ServingCertificate[] = [];
    stop = startCertificateRenewal({
      source,
      domain: DOMAIN,
      hostId: 'host-1',
      current,
      apply: (next) => {
        applied.push(next);
        proxy!.setCertificate(next);
      },
      logger,
      intervalMs: INTERVAL_MS,
    });

    // Half-way through a rotation (the certificate replaced, not yet its key): not taken.
    await writeFile(certFile, second.certPem);
    await waitFor(() => logger.entries.some((e) => e.message === 'proxy certificate not reloaded'), {
      message: 'the mismatched pair refused',
    });
    expect(applied).toHaveLength(0);
    expect(await servedSerial(port)).toBe(serialOf(first.certPem));

    await writeFile(keyFile, second.keyPem, { mode: 0o600 });
    await waitFor(async () => (await servedSerial(port)) === serialOf(second.certPem), {
      message: 'the rotated pair served',
    });
    expect(applied).toHaveLength(1);
    expect(applied[0]!.notAfter.getTime()).toBe(Date.parse(new X509Certificate(second.certPem).validTo));
    // The key is never logged.
    expect(JSON.stringify(logger.entries)).not.toContain('PRIVATE KEY');
  });
});

describe('issued from the CA', () => {
  const source = () => ({ kind: 'ca', caDir: join(dir.path, 'ca') }) as const;

  it('re-issues once due and serves the new certificate; not before', async () => {
    const current = await loadServingCertificate(source(), DOMAIN, 'host-1');
    const logger = createTestLogger();
    const port = await startTlsProxy(current, logger);
    let now = Date.now();
    stop = startCertificateRenewal({
      source: source(),
      domain: DOMAIN,
      hostId: 'host-1',
      current,
      apply: (next) => proxy!.setCertificate(next),
      logger,
      now: () => now,
      intervalMs: INTERVAL_MS,
    });
    await new Promise((resolve) => setTimeout(resolve, 6 * INTERVAL_MS));
    expect(await servedSerial(port)).toBe(serialOf(current.certPem));

    // Twenty-one days later: nine left of thirty, under the third.
    now += 21 * DAY_MS;
    await waitFor(async () => (await servedSerial(port)) !== serialOf(current.certPem), {
      message: 'a re-issued certificate served',
    });
    expect(logger.entries.filter((e) => e.message === 'proxy certificate re-issued')).toHaveLength(1);
  });

  it('keeps serving the current certificate when the CA cannot issue, and says so', async () => {
    const current = await loadServingCertificate(source(), DOMAIN, 'host-1');
    const logger = createTestLogger();
    const port = await startTlsProxy(current, logger);
    stop = startCertificateRenewal({
      source: { kind: 'ca', caDir: join(dir.path, 'no-such-ca') },
      domain: DOMAIN,
      hostId: 'host-1',
      current,
      apply: (next) => proxy!.setCertificate(next),
      logger,
      now: () => Date.now() + 29 * DAY_MS,
      intervalMs: INTERVAL_MS,
    });
    await waitFor(() => logger.entries.some((e) => e.message.startsWith('proxy certificate not re-issued')), {
      message: 'the failed re-issue logged',
    });
    expect(await servedSerial(port)).toBe(serialOf(current.certPem));
  });
});
