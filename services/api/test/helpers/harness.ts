/**
 * An api started the way main.ts starts it (`startApi`), on port 0 against a test ZooKeeper,
 * with a small fetch-based client and a session for looking at the znodes directly.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createTestLogger, type TestLogger } from '@wharf/observability';
import { startZooKeeper, tempDir, type TempDir, type TestZooKeeper } from '@wharf/testkit';
import { ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { type Loose } from './plans';
import {
  apiKeyFile,
  configFromEnv,
  startApi,
  versionsFromTable,
  type ApiConfig,
  type Clock,
  type RunningApi,
  type StartApiOptions,
} from '../../src';

/** Versions the test api accepts. */
export const TEST_VERSIONS = versionsFromTable({ etcd: ['3.4', '3.5'], http: ['1'] });

/** Test sessions: short enough that outage tests finish quickly, long enough for a busy box. */
export const SESSION_TIMEOUT_MS = 6000;
/** How long a request waits for ZooKeeper during an outage before answering 503. */
export const OPERATION_TIMEOUT_MS = 1500;

/** A response as tests look at it. */
export interface ApiResponse {
  status: number;
  body: Loose;
  text: string;
  headers: Headers;
}

/** Options of a request. */
export interface CallOptions {
  /** Sent as is (no JSON encoding). */
  raw?: string;
  headers?: Record<string, string>;
  /** Leave the Authorization header out. */
  noAuth?: boolean;
}

/** A running test api. */
export interface Harness {
  api: RunningApi;
  key: string;
  printed: string;
  home: TempDir;
  logger: TestLogger;
  /** A session on the api's chroot, for inspecting znodes. */
  zk: ZkSession;
  call(method: string, path: string, body?: unknown, options?: CallOptions): Promise<ApiResponse>;
  /** Sends a request path exactly as given (fetch would normalise `..`). */
  rawPath(method: string, path: string): Promise<{ status: number; body: Loose }>;
  close(): Promise<void>;
}

/** Extra wiring for a test api. */
export interface HarnessOptions {
  clock?: Clock;
  requestIdSweep?: StartApiOptions['requestIdSweep'];
  config?: Partial<ApiConfig>;
  /**
   * Secure mode: a TLS-only ZooKeeper (`useApiHarness`) and this client certificate for the api
   * and the harness's own session (ACLs by role apply to what they create).
   */
  zkTls?: ZkTlsOptions;
  /** `useApiHarness` only: start a TLS-only ZooKeeper and connect with an `api` certificate. */
  secureZk?: boolean;
}

/** Starts an api on `connectString` under `chroot` with a fresh home; `key`: one created earlier. */
export async function startHarness(
  connectString: string,
  chroot: string,
  existingKey?: string,
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir = await tempDir('wharf-api-test');
  const logger = createTestLogger();
  let printed = '';
  const config = configFromEnv(
    { WHARF_ZK: connectString, WHARF_ZK_CHROOT: chroot, WHARF_HOME: dir.path, WHARF_API_PORT: '0' },
    { hostname: 'test', pid: process.pid },
  );
  const api = await startApi({
    config: { ...config, id: `api-${Math.random().toString(16).slice(2, 10)}`, ...options.config },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.requestIdSweep ? { requestIdSweep: options.requestIdSweep } : {}),
    ...(options.zkTls ? { zkTls: options.zkTls } : {}),
    logger,
    version: '0.0.0-test',
    supportedVersions: TEST_VERSIONS,
    print: (text) => (printed += text),
    pid: process.pid,
    zkSessionTimeoutMs: SESSION_TIMEOUT_MS,
    zkOperationTimeoutMs: OPERATION_TIMEOUT_MS,
  });
  const zk = new ZkSession({
    connectString,
    chroot,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    tls: options.zkTls,
  });
  let key: string;
  try {
    key = existingKey ?? (await readFile(apiKeyFile(dir.path), 'utf8')).trim();
    await zk.start();
  } catch (err) {
    await api.close();
    await dir.cleanup();
    throw err;
  }

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<ApiResponse> => {
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(options.noAuth ? {} : { authorization: `ApiKey ${key}` }),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: payload,
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };

  const rawPath = (method: string, path: string): Promise<{ status: number; body: Loose }> =>
    new Promise((resolve, reject) => {
      // Options, not a URL string: a URL would be normalised and `..` resolved away.
      const options = {
        host: '127.0.0.1',
        port: api.port,
        path,
        method,
        headers: { authorization: `ApiKey ${key}` },
      };
      const req = request(options, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined }),
        );
      });
      req.on('error', reject);
      req.end();
    });

  return {
    api,
    key,
    printed,
    home: dir,
    logger,
    zk,
    call,
    rawPath,
    close: async () => {
      await zk.close();
      await api.close();
      await dir.cleanup();
    },
  };
}

/** What {@link useApiHarness} hands a `describe` block: usable inside its hooks and tests. */
export interface ApiFixture {
  server: TestZooKeeper;
  h: Harness;
}

/**
 * Jest helper: a ZooKeeper and an api on `chroot` for the enclosing `describe` (started in
 * `beforeAll`, thawed and closed in `afterAll`). Later `beforeAll` hooks run after it, so they can
 * seed data through `h`.
 */
export function useApiHarness(chroot: string, options: HarnessOptions = {}): ApiFixture {
  let server: TestZooKeeper | undefined;
  let h: Harness | undefined;
  beforeAll(async () => {
    server = await startZooKeeper(options.secureZk ? { tls: true } : {});
    const zkTls = await server.tls?.client({ hostId: 'api-host', role: 'api' });
    h = await startHarness(server.connectString, chroot, undefined, {
      ...options,
      ...(zkTls ? { zkTls } : {}),
    });
  }, 60_000);
  afterAll(async () => {
    server?.thaw();
    await h?.close();
    await server?.close();
  });
  return { server: lateBound('server', () => server), h: lateBound('harness', () => h) };
}

/** An object that forwards every property read to `current()`, which exists once `beforeAll` ran. */
function lateBound<T extends object>(name: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get: (_target, key) => {
      const value = current();
      if (value === undefined) throw new Error(`useApiHarness: ${name} used before beforeAll`);
      return Reflect.get(value, key);
    },
  });
}
