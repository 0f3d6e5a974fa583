/**
 * Starts a whole Wharf platform the way a user does (`wharf up --detach`), on free loopback
 * ports in a throwaway WHARF_HOME, and gives tests a small client for the API and the proxies.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { createCaFetch, parsePlatformRecord } from '@wharf/platform';
import { freePorts, runCommand, tempDir } from '@wharf/testkit';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
/** `wharf up --detach` waits for every service to be healthy; this bounds it. */
const UP_TIMEOUT_MS = 90_000;

/** One service process as recorded in platform.json. */
export interface ServiceProcess {
  id: string;
  service: string;
  pid: number;
  [key: string]: unknown;
}

/** A running platform. */
export interface Platform {
  home: string;
  /** `https://…` for a secure platform (`--secure`): the api serves HTTPS with a certificate from the CA. */
  apiUrl: string;
  /** Secure platforms: the CA certificate (PEM) the api's certificate chains to. */
  apiCa?: string;
  apiKey: string;
  proxyPorts: number[];
  zkPort: number;
  services: () => Promise<ServiceProcess[]>;
  api: <T = any>(
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; body: T; headers: Headers }>;
  proxy: (
    deploymentId: string,
    method: string,
    path: string,
    body?: string,
    port?: number,
  ) => Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>;
  cli: (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** The same `wharf up` again on the same home (after a `wharf down`: state kept). */
  up: () => Promise<void>;
  down: () => Promise<void>;
}

/** Runs the wharf CLI with the platform's environment. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = UP_TIMEOUT_MS,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCommand(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env,
    timeoutMs,
    name: `wharf ${args.join(' ')}`,
  });
}

/** Sends a request to a proxy routed by the Host header `<deployment>.localhost`. */
/**
 * `api(method, path, body)` against `<apiUrl>/api/v1` with `apiKey`: status, parsed body, headers.
 * `ca`: the CA (PEM) an `https://` api's certificate must chain to.
 */
export function apiClient(
  apiUrl: string,
  apiKey: string,
  ca?: string,
): (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: any; headers: Headers }> {
  const fetchFn = ca === undefined ? fetch : createCaFetch({ ca, caSource: 'the platform CA' });
  return async (method, path, body) => {
    const res = await fetchFn(`${apiUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `ApiKey ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}

export function proxyRequest(
  port: number,
  deploymentId: string,
  method: string,
  path: string,
  body?: string,
  address = '127.0.0.1',
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: address,
        port,
        method,
        path,
        headers: {
          ...extraHeaders,
          host: `${deploymentId}.localhost:${port}`,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
        timeout: 10_000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: data, headers: res.headers }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('proxy request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts a platform: 3 simulated hosts, each with its runner — host-1 (127.0.0.1, zone-a) and
 * host-2 (127.0.0.2, zone-b) coordinator + proxy + allocator, host-3 (127.0.0.3, zone-c) allocator.
 * Proxy n listens on host n's address.
 */
/** How to start a platform (defaults: process mode, the usual layout). */
export interface StartOptions {
  /** Extra `wharf up` flags (`--mode docker`, `--host-prefix p-`, ...). */
  upArgs?: string[];
  /** First instance port of the allocators; default: a random block below 32768. */
  portBase?: number;
  /** How long `wharf up --detach` may take. */
  timeoutMs?: number;
  /** Runs after `wharf down` (also when the start fails): what `down` cannot reach. */
  cleanup?: () => Promise<void>;
  /** Runs before the first `wharf up`, with the new home and ZooKeeper port (an old layout, say). */
  beforeUp?: (home: string, zkPort: number) => Promise<void>;
}

export async function startPlatform(options: StartOptions = {}): Promise<Platform> {
  const dir = await tempDir('wharf-e2e');
  const home = dir.path;
  // One call: separate picks may return the same port twice (`--proxy-ports: ports must be distinct`).
  const [zkPort, apiPort, ...proxyPorts] = (await freePorts(4)) as [number, number, number, number];
  // Allocator port ranges: a random block below Linux's ephemeral range (32768+), where the free
  // ports above come from, so the two never collide; random so parallel runs rarely do either.
  const portBase = options.portBase ?? 10_000 + Math.floor(Math.random() * 150) * 100;
  const env = {
    WHARF_HOME: home,
    WHARF_ZK: `127.0.0.1:${zkPort}`,
    WHARF_API: `http://127.0.0.1:${apiPort}`,
    WHARF_LOG_LEVEL: 'info',
    // The leader's heartbeat (`services/constructor/src/health/heartbeat.ts`) at test speed.
    WHARF_HEARTBEAT_INTERVAL_MS: '1000',
    WHARF_HEARTBEAT_FLUSH_MS: '1000',
  };
  const stop = async () => {
    await runCli(['down'], env).catch(() => undefined);
    await options.cleanup?.();
  };
  const upArgs = [
    'up',
    '--detach',
    '--zk-port',
    String(zkPort),
    '--api-port',
    String(apiPort),
    '--proxy-ports',
    proxyPorts.join(','),
    '--port-base',
    String(portBase),
    ...(options.upArgs ?? []),
  ];
  try {
    await options.beforeUp?.(home, zkPort);
  } catch (err) {
    await dir.cleanup();
    throw err;
  }
  const up = await runCli(upArgs, env, options.timeoutMs);
  if (up.code !== 0) {
    await stop();
    throw new Error(`wharf up failed (${up.code})\n${up.stdout}\n${up.stderr}`);
  }
  const apiKey = (await readFile(join(home, 'credentials', 'api-key'), 'utf8')).trim();
  // What `up` recorded: `https://` and the CA with --secure, else plain HTTP on loopback.
  const recorded = parsePlatformRecord(await readFile(join(home, 'run', 'platform.json'), 'utf8'));
  const apiUrl = recorded.api_url;
  const apiCa = recorded.api_ca === undefined ? undefined : await readFile(recorded.api_ca, 'utf8');
  env.WHARF_API = apiUrl;

  const platform: Platform = {
    home,
    apiUrl,
    ...(apiCa === undefined ? {} : { apiCa }),
    apiKey,
    proxyPorts,
    zkPort,
    services: async () => {
      const doc = JSON.parse(await readFile(join(home, 'run', 'platform.json'), 'utf8'));
      return (doc.services ?? doc.processes ?? []) as ServiceProcess[];
    },
    api: apiClient(apiUrl, apiKey, apiCa),
    proxy: (deploymentId, method, path, body, port = proxyPorts[0]!) =>
      proxyRequest(port, deploymentId, method, path, body, `127.0.0.${proxyPorts.indexOf(port) + 1}`),
    cli: (args) => runCli(args, { ...env, WHARF_API_KEY: apiKey }),
    up: async () => {
      const again = await runCli(upArgs, env, options.timeoutMs);
      if (again.code !== 0)
        throw new Error(`wharf up failed (${again.code})\n${again.stdout}\n${again.stderr}`);
    },
    down: async () => {
      await stop();
      await dir.cleanup();
    },
  };
  return platform;
}

/**
 * Waits for every start to settle, then throws the first failure. `Promise.all` rejects as soon
 * as one fails, before the others have assigned what they started — a browser or a platform that
 * `afterAll` then never stops, and a jest that never exits. Each start assigns its own result.
 */
export async function startTogether(starts: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
