/**
 * Helpers of test/compose.test.ts (the containerised install): commands with argument arrays,
 * polling, Debian's docker-compose, and the two endpoints HAProxy serves — the api over HTTPS
 * (trusting the installation's CA only) and the deployment endpoint routed by Host.
 */
import { execFile } from 'node:child_process';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `file args` (no shell); the error carries stdout and stderr. */
export async function sh(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
) {
  try {
    return await run(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeout ?? 170_000,
    });
  } catch (err: any) {
    throw new Error(
      `${file} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    );
  }
}

/** Polls `fn` every 500 ms until it returns a value; the last error is in the timeout's message. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(500);
  }
}

/** Debian's docker-compose; installed with apt when missing (CI starts on a fresh machine). */
export async function ensureDockerCompose(): Promise<void> {
  try {
    await sh('docker-compose', ['version', '--short']);
    return;
  } catch {
    /* install below */
  }
  if (process.getuid?.() !== 0)
    throw new Error('docker-compose is missing and the test is not root: apt-get install docker-compose');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await sh('apt-get', ['install', '-y', 'docker-compose'], { env });
  } catch {
    await sh('apt-get', ['update'], { env });
    await sh('apt-get', ['install', '-y', 'docker-compose'], { env });
  }
  await sh('docker-compose', ['version', '--short']);
}

/** A response: status, parsed JSON body (or undefined) and the raw text. */
export interface JsonResponse {
  readonly status: number;
  readonly body: any;
  readonly text: string;
}

/**
 * The api's client over HTTPS: verifies the server certificate against `ca` only (the
 * installation's CA, not the system bundle) and its name (127.0.0.1 must be a SAN).
 */
export function httpsApiClient(
  url: string,
  apiKey: string,
  ca: string,
): (method: string, path: string, body?: unknown) => Promise<JsonResponse> {
  const { hostname, port } = new URL(url);
  return (method, path, body) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: hostname,
          port: Number(port),
          method,
          path: `/api/v1${path}`,
          ca,
          agent: false,
          headers: {
            ...(apiKey ? { authorization: `ApiKey ${apiKey}` } : {}),
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          },
          timeout: 15_000,
        },
        (res) => collect(res, resolve, reject),
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(payload);
    });
  };
}

/** A POST to the HAProxy deployment endpoint, routed by Host `<id>.localhost`. */
export function viaHaproxy(
  port: number,
  deploymentId: string,
  path: string,
  body: unknown,
): Promise<JsonResponse> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: {
          host: `${deploymentId}.localhost:${port}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        timeout: 10_000,
      },
      (res) => collect(res, resolve, reject),
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

function collect(
  res: IncomingMessage,
  resolve: (r: JsonResponse) => void,
  reject: (err: Error) => void,
): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (text += c));
  res.on('error', reject);
  res.on('end', () => {
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    resolve({ status: res.statusCode ?? 0, body, text });
  });
}

/**
 * What a TLS client without a certificate gets from `port`: the handshake outcome (`refused` when
 * the server closes or rejects it, `connected` when it lets the client in) and the first bytes of
 * the server's answer to a plaintext `ruok`.
 */
export async function probeWithoutCertificate(
  port: number,
  ca: string,
): Promise<{ tls: 'connected' | 'refused'; plaintextAnswer: string }> {
  const tls = await new Promise<'connected' | 'refused'>((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    const done = (outcome: 'connected' | 'refused') => {
      socket.destroy();
      resolve(outcome);
    };
    // TLS 1.3 completes the client side before the server checks the (missing) certificate: the
    // refusal then arrives as an alert on the first read, so write and wait for an answer.
    socket.once('secureConnect', () => socket.write('ruok'));
    socket.once('data', () => done('connected'));
    socket.once('error', () => done('refused'));
    socket.once('close', () => done('refused'));
    socket.setTimeout(5000, () => done('refused'));
  });
  const plaintextAnswer = await new Promise<string>((resolve) => {
    let answer = '';
    const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write('ruok'));
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    // A TLS-only port waits for a ClientHello: silence (no `imok`) is the expected answer.
    socket.setTimeout(2000, () => socket.destroy());
  });
  return { tls, plaintextAnswer };
}
