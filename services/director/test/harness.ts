/** A director on the test's chroot with a fresh CA (or a given one) and helpers to talk to it raw. */
import { request } from 'node:https';
import { createMetrics, nullLogger } from '@wharf/observability';
import { type CertificateAuthority, caFingerprint, loadOrCreateCa, saveCa } from '@wharf/pki';
import { tempDir, type TempDir, type ZooKeeperFixture } from '@wharf/testkit';
import { type ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { Director, createDirectorMetrics, type DirectorMetrics } from '../src';

/** Quorum checks every 200 ms: the status znode is fresh within a test's patience. */
export const TEST_QUORUM_INTERVAL_MS = 200;

/** A started director and what a test needs around it. */
export interface TestDirector {
  readonly director: Director;
  readonly ca: CertificateAuthority;
  readonly metrics: DirectorMetrics;
  readonly url: string;
  readonly fingerprint: string;
  readonly home: TempDir;
  close(): Promise<void>;
}

/** Per test: a fresh directory for enrolled credentials, and the director to close afterwards. */
export interface DirectorTestContext {
  out: TempDir;
  director: TestDirector | undefined;
}

/** Registers the per-test set-up and clean-up of a {@link DirectorTestContext}. */
export function useDirectorTest(): DirectorTestContext {
  const ctx = { director: undefined } as DirectorTestContext;
  beforeEach(async () => {
    ctx.out = await tempDir('wharf-enrolled');
  });
  afterEach(async () => {
    await ctx.director?.close();
    ctx.director = undefined;
    await ctx.out.cleanup();
  });
  return ctx;
}

/** Starts a director `id` on `session`; with `ca`, that CA is stored in its home first. */
export async function startTestDirector(
  fixture: ZooKeeperFixture,
  session: ZkSession,
  options: { id?: string; ca?: CertificateAuthority; zkTls?: ZkTlsOptions } = {},
): Promise<TestDirector> {
  const home = await tempDir('wharf-director');
  if (options.ca !== undefined) await saveCa(`${home.path}/ca`, options.ca);
  const { ca } = await loadOrCreateCa(`${home.path}/ca`);
  const metrics = createDirectorMetrics(createMetrics('director'));
  const director = new Director({
    id: options.id ?? 'director-1',
    zk: session,
    ca,
    enrol: { host: '127.0.0.1', port: 0, names: [] },
    zkConnectString: fixture.connectString,
    ...(options.zkTls === undefined ? {} : { zkTls: options.zkTls }),
    quorumIntervalMs: TEST_QUORUM_INTERVAL_MS,
    metrics,
    logger: nullLogger,
  });
  await director.start();
  return {
    director,
    ca,
    metrics,
    url: director.enrolUrl,
    fingerprint: caFingerprint(ca.certPem),
    home,
    close: async () => {
      await director.close();
      await home.cleanup();
    },
  };
}

/** A director's error answer. */
export interface ErrorAnswer {
  readonly error: { code: string; message: string; details: { path: string; message: string }[] };
}

/** POSTs `body` (JSON text as given) to the director's `/enrol`, trusting `caPem`. */
export function postEnrol(
  url: string,
  caPem: string,
  body: string,
): Promise<{ status: number; body: ErrorAnswer }> {
  return postDirector(url, '/enrol', caPem, body);
}

/** POSTs `body` to `path` of the director, trusting `caPem`, with a client certificate if given. */
export function postDirector(
  url: string,
  path: string,
  caPem: string,
  body: string,
  client?: { cert: string | Buffer; key: string | Buffer },
): Promise<{ status: number; body: ErrorAnswer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      { method: 'POST', ca: caPem, ...client, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as ErrorAnswer });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
