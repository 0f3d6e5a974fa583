/**
 * The TLS port, HTTP/2 (ALPN h2 and h2c prior knowledge) and `Upgrade` pass-through, against a
 * real etcd driven by the real `etcdctl` (gRPC: trailers, h2 end to end), a real HTTP/1.1
 * upstream and a WebSocket echo upstream. The serving certificate is issued from a Wharf CA store
 * the way `WHARF_PROXY_TLS_CA_DIR` does.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { createMetrics, createTestLogger } from '@wharf/observability';
import { createRootCa, saveCa } from '@wharf/pki';
import { runCommand, tempDir, waitFor, type TempDir } from '@wharf/testkit';
import { StaticRouteSource, createProxy, type WharfProxy } from '../src';
import { loadServingCertificate } from '../src/serving-certificate';
import { instance, routeEntry } from './fixtures';
import { refusedPort, request, startUpstream, type Upstream } from './helpers';
import { addHostsEntry, h2Request, startEchoUpstream, startEtcd, type TestEtcd } from './tls-helpers';

/**
 * Not `localhost`: Node (like curl) refuses a wildcard over a single label (`*.localhost`), while
 * Go accepts it; a three-label wildcard is what a production domain has and every client checks.
 */
const DOMAIN = 'wharf.test';
const ETCD = `etcd-${process.pid}`;
const WEB = `web-${process.pid}`;
const ECHO = `echo-${process.pid}`;
const hasEtcdctl = ((): boolean => {
  try {
    execFileSync('etcdctl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** etcdctl (Go) resolves `<id>.<domain>` only through /etc/hosts, which only root may edit. */
const etcdctlIt = hasEtcdctl && process.getuid?.() === 0 ? it : it.skip;

let dir: TempDir;
let etcd: TestEtcd;
let web: Upstream;
let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
let proxy: WharfProxy;
let plainPort: number;
let tlsPort: number;
let caPem: string;
let caFile: string;
let removeHosts: (() => Promise<void>) | undefined;
const metrics = createMetrics('proxy');

beforeAll(async () => {
  dir = await tempDir('wharf-proxy-tls');
  const ca = await createRootCa();
  await saveCa(join(dir.path, 'ca'), ca);
  caPem = ca.certPem;
  caFile = join(dir.path, 'ca.pem');
  await writeFile(caFile, caPem);
  [etcd, web, echo] = await Promise.all([
    startEtcd(join(dir.path, 'etcd')),
    startUpstream('web-1'),
    startEchoUpstream(),
  ]);
  const certificate = await loadServingCertificate(
    { kind: 'ca', caDir: join(dir.path, 'ca') },
    DOMAIN,
    'host-1',
  );
  const at = (port: number, id: string) => instance(id, { port, host: '127.0.0.1' });
  proxy = createProxy({
    routeSource: new StaticRouteSource([
      routeEntry(ETCD, [at(etcd.clientPort, 'etcd-1')]),
      routeEntry(WEB, [at(web.port, 'web-1')]),
      routeEntry(ECHO, [at(echo.port, 'echo-1')]),
    ]),
    logger: createTestLogger(),
    metrics,
    id: 'proxy-tls-test',
    domain: DOMAIN,
    port: 0,
    tls: { port: 0, certificate },
  });
  plainPort = (await proxy.start()).port;
  tlsPort = proxy.tlsAddress()!.port;
  if (hasEtcdctl && process.getuid?.() === 0) removeHosts = await addHostsEntry(`${ETCD}.${DOMAIN}`);
}, 30_000);

afterAll(async () => {
  await removeHosts?.();
  await proxy?.close();
  await Promise.all([etcd?.close(), web?.close(), echo?.close()]);
  await dir?.cleanup();
});

async function etcdctl(endpoint: string, ...args: string[]): Promise<string> {
  const result = await runCommand(
    'etcdctl',
    ['--endpoints', endpoint, '--cacert', caFile, '--dial-timeout', '3s', '--command-timeout', '5s', ...args],
    { timeoutMs: 15_000, env: { ETCDCTL_API: '3' } },
  );
  if (result.code !== 0) throw new Error(`etcdctl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe('etcdctl (gRPC) through the proxy', () => {
  etcdctlIt('puts and gets over TLS with ALPN h2', async () => {
    const endpoint = `https://${ETCD}.${DOMAIN}:${tlsPort}`;
    expect(await etcdctl(endpoint, 'put', 'tls-key', 'over-tls')).toContain('OK');
    expect(await etcdctl(endpoint, 'get', 'tls-key', '--print-value-only')).toBe('over-tls\n');
  });

  etcdctlIt('keeps a lease alive over TLS (a bidirectional gRPC stream)', async () => {
    const endpoint = `https://${ETCD}.${DOMAIN}:${tlsPort}`;
    const lease = /lease ([0-9a-f]+) granted/.exec(await etcdctl(endpoint, 'lease', 'grant', '60'))?.[1];
    expect(lease).toBeDefined();
    expect(await etcdctl(endpoint, 'lease', 'keep-alive', '--once', lease!)).toContain(
      `lease ${lease} keepalived`,
    );
  });

  etcdctlIt('puts and gets over h2c (prior knowledge) on the plain port', async () => {
    const endpoint = `http://${ETCD}.${DOMAIN}:${plainPort}`;
    expect(await etcdctl(endpoint, 'put', 'h2c-key', 'over-h2c')).toContain('OK');
    expect(await etcdctl(endpoint, 'get', 'h2c-key', '--print-value-only')).toBe('over-h2c\n');
  });
});

describe('HTTP/2 clients of an HTTP/1.1 instance', () => {
  it('are answered over ALPN h2 on the TLS port', async () => {
    const reply = await h2Request(`https://127.0.0.1:${tlsPort}`, `${WEB}.${DOMAIN}`, '/a?b=1', {
      ca: caPem,
      servername: `${WEB}.${DOMAIN}`,
    });
    expect(reply.protocol).toBe('h2');
    expect(reply.headers[':status']).toBe(200);
    expect(reply.headers['x-wharf-handling-instance']).toBe('web-1');
    const seen = JSON.parse(reply.body);
    expect(seen).toMatchObject({ url: '/a?b=1', method: 'GET' });
    expect(seen.headers).toMatchObject({ host: `${WEB}.${DOMAIN}`, 'x-forwarded-proto': 'https' });
  });

  it('are answered over h2c on the plain port, which still speaks HTTP/1.1', async () => {
    const reply = await h2Request(`http://127.0.0.1:${plainPort}`, `${WEB}.${DOMAIN}`, '/c');
    expect(reply.protocol).toBe('h2c');
    expect(reply.headers[':status']).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ url: '/c', headers: { 'x-forwarded-proto': 'http' } });
    const plain = await request(plainPort, { path: '/d', headers: { host: `${WEB}.${DOMAIN}` } });
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({ url: '/d', instance: 'web-1' });
  });

  it('get coded errors and /_health over h2', async () => {
    const missing = await h2Request(`http://127.0.0.1:${plainPort}`, `nope.${DOMAIN}`, '/');
    expect(missing.headers[':status']).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('WHARF_NOT_FOUND');
    const health = await h2Request(`https://127.0.0.1:${tlsPort}`, DOMAIN, '/_health', {
      ca: caPem,
      servername: DOMAIN,
    });
    expect(health.headers[':status']).toBe(200);
  });
});

describe('HTTP/1.1 over TLS', () => {
  it('routes by Host, and by SNI when Host names no deployment', async () => {
    const get = (host: string, servername: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = https.get(
          {
            host: '127.0.0.1',
            port: tlsPort,
            path: '/e',
            ca: caPem,
            servername,
            headers: { host },
            agent: false,
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
      });
    const byHost = await get(`${WEB}.${DOMAIN}`, DOMAIN);
    expect(byHost.status).toBe(200);
    expect(JSON.parse(byHost.body).headers['x-forwarded-proto']).toBe('https');
    const bySni = await get('127.0.0.1', `${WEB}.${DOMAIN}`);
    expect(bySni.status).toBe(200);
    expect(JSON.parse(bySni.body).instance).toBe('web-1');
  });

  it('refuses a client that does not trust the CA', async () => {
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: `${WEB}.${DOMAIN}` });
      socket.once('secureConnect', () =>
        resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })),
      );
      socket.once('error', resolve);
    });
    expect(err.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
  });
});

describe('Upgrade pass-through', () => {
  const upgrade = (secure: boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const options = {
        host: '127.0.0.1',
        port: secure ? tlsPort : plainPort,
        path: '/ws',
        headers: {
          host: `${ECHO}.${DOMAIN}`,
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-version': '13',
        },
        agent: false as const,
        ...(secure ? { ca: caPem, servername: `${ECHO}.${DOMAIN}` } : {}),
      };
      const req = (secure ? https : http).request(options);
      req.on('upgrade', (res: http.IncomingMessage, socket: Duplex) => {
        expect(res.statusCode).toBe(101);
        expect(res.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
        socket.once('data', (chunk: Buffer) => {
          socket.destroy();
          resolve(chunk.toString());
        });
        socket.write(`ping over ${secure ? 'tls' : 'plain'}`);
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });

  it('refuses an upgrade for an unknown deployment with a coded 404', async () => {
    const socket = net.connect(plainPort, '127.0.0.1');
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: nope.${DOMAIN}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(text).toMatch(/^HTTP\/1.1 404 /);
    expect(text).toContain('"code":"WHARF_NOT_FOUND"');
  });

  it('relays a WebSocket both ways on the plain and the TLS port', async () => {
    expect(await upgrade(false)).toBe('ping over plain');
    expect(await upgrade(true)).toBe('ping over tls');
  });
});

it('exports the serving certificate expiry', async () => {
  const { text } = await request(plainPort, { path: '/_metrics' });
  const match = /wharf_proxy_certificate_expiry_seconds\{certificate="proxy-serving"[^}]*\} (\d+)/.exec(text);
  expect(Number(match?.[1])).toBeGreaterThan(29 * 86_400);
});

it('answers a gRPC call whose instance refuses with a coded 502 and holds the instance down', async () => {
  const dead = await refusedPort();
  const extra = createProxy({
    routeSource: new StaticRouteSource([
      routeEntry(ETCD, [instance('gone-1', { port: dead, host: '127.0.0.1' })]),
    ]),
    logger: createTestLogger(),
    metrics: createMetrics('proxy'),
    id: 'proxy-tls-refused',
    domain: DOMAIN,
    port: 0,
    activeHealthChecks: false,
  });
  const port = (await extra.start()).port;
  await waitFor(() => extra.table() !== undefined);
  try {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = session.request({
        ':method': 'POST',
        ':authority': `${ETCD}.${DOMAIN}`,
        ':path': '/etcdserverpb.KV/Range',
        'content-type': 'application/grpc',
      });
      let body = '';
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => resolve({ status, body }));
      req.on('error', reject);
      req.end(Buffer.alloc(5));
    });
    session.close();
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).error).toMatchObject({ code: 'WHARF_UNAVAILABLE' });
    expect(JSON.stringify(JSON.parse(reply.body).error.details)).toContain('ECONNREFUSED');
    const { text } = await request(port, { path: '/_metrics' });
    expect(text).toMatch(/wharf_proxy_instance_ejections_total\{[^}]*\} 1\n/);
  } finally {
    await extra.close();
  }
});
