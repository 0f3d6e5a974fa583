/**
 * The CLI's client against an api serving HTTPS (`wharf up --secure`), with a real HTTPS server on
 * 127.0.0.1: `createCaFetch` (@wharf/platform) trusts exactly the given CA and returns a standard
 * `Response`; a certificate from another CA, or one not naming the host, fails at once with
 * WHARF_PKI_UNTRUSTED naming the CA; `ApiClient` with `ca` works where the global fetch cannot.
 */
import { once } from 'node:events';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer as createHttpServer,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket, createServer as createNetServer } from 'node:net';
import { createRootCa, type CertificateAuthority } from '@wharf/pki';
import { createCaFetch } from '@wharf/platform';
import { ApiClient } from '../src/api/api-client';

jest.setTimeout(60_000);

let ca: CertificateAuthority;
let other: CertificateAuthority;
const servers: Server[] = [];

/** Answers `/api/v1/echo` with the method, auth header and body; `/api/v1/empty` with 204. */
function handler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    if (req.url === '/api/v1/empty') {
      res.writeHead(204).end();
      return;
    }
    if (req.url === '/api/v1/missing') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'WHARF_NOT_FOUND', message: 'no such thing' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-seen': 'yes' });
    res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null, body }));
  });
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return String((server.address() as AddressInfo).port);
}

async function httpsServer(issuer: CertificateAuthority, sans: { dns: string[]; ips: string[] }) {
  const leaf = await issuer.issue({
    profile: 'server',
    subject: { hostId: 'host-1', role: 'api-https' },
    sans,
  });
  const port = await listen(createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, handler));
  return `https://127.0.0.1:${port}`;
}

const loopback = { dns: ['localhost'], ips: ['127.0.0.1'] };

beforeAll(async () => {
  [ca, other] = await Promise.all([createRootCa({ commonName: 'Wharf test CA' }), createRootCa()]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('createCaFetch', () => {
  it('talks HTTPS to a server whose certificate chains to the CA, and returns a standard Response', async () => {
    const url = await httpsServer(ca, loopback);
    const caFetch = createCaFetch({ ca: ca.certPem, caSource: 'ca.pem' });
    const res = await caFetch(`${url}/api/v1/echo`, {
      method: 'POST',
      headers: { authorization: 'ApiKey k', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(await res.json()).toEqual({ method: 'POST', auth: 'ApiKey k', body: '{"a":1}' });
    const empty = await caFetch(`${url}/api/v1/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
    // Without the CA, Node's own fetch refuses the same server: the CA is what makes it work.
    await expect(fetch(`${url}/api/v1/echo`)).rejects.toThrow();
  });

  it('refuses a certificate from another CA at once, naming the CA it trusted', async () => {
    const url = await httpsServer(other, loopback);
    const caFetch = createCaFetch({ ca: ca.certPem, caSource: '/home/x/ca.pem' });
    const started = Date.now();
    const err = await caFetch(`${url}/api/v1/echo`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WHARF_PKI_UNTRUSTED' });
    expect((err as Error).message).toContain('not trusted by the CA in /home/x/ca.pem');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a certificate of the CA that does not name the host it was reached at', async () => {
    const url = await httpsServer(ca, { dns: ['api.example.test'], ips: ['127.0.0.9'] });
    const err = await createCaFetch({ ca: ca.certPem })(`${url}/api/v1/echo`).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'WHARF_PKI_UNTRUSTED',
      details: { reason: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    });
  });

  it('sends http:// URLs through the global fetch, and gives up on a silent server at the signal', async () => {
    const port = await listen(createHttpServer(handler));
    const caFetch = createCaFetch({ ca: ca.certPem });
    expect((await caFetch(`http://127.0.0.1:${port}/api/v1/echo`)).status).toBe(200);
    // A TCP server that accepts and never speaks TLS: the signal ends the wait.
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const silentPort = (silent.address() as AddressInfo).port;
    const started = Date.now();
    await expect(
      caFetch(`https://127.0.0.1:${silentPort}/`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => silent.close(r));
  });
});

describe('ApiClient over HTTPS', () => {
  it('uses the CA it is given; with another CA the error names the CA problem', async () => {
    const url = await httpsServer(ca, loopback);
    const good = new ApiClient({ baseUrl: url, apiKey: 'k', ca: { pem: ca.certPem, source: 'ca.pem' } });
    expect((await good.request('POST', '/echo', { body: { x: 1 } })).body).toEqual({
      method: 'POST',
      auth: 'ApiKey k',
      body: '{"x":1}',
    });
    await expect(good.request('GET', '/missing')).rejects.toMatchObject({ code: 'WHARF_NOT_FOUND' });
    const wrong = new ApiClient({ baseUrl: url, ca: { pem: other.certPem, source: 'other.pem' } });
    await expect(wrong.request('GET', '/echo')).rejects.toMatchObject({
      code: 'WHARF_PKI_UNTRUSTED',
      message: expect.stringContaining('not trusted by the CA in other.pem'),
    });
    // No CA at all: the system roots refuse it, and the message says how to trust the CA.
    const none = new ApiClient({ baseUrl: url });
    await expect(none.request('GET', '/echo')).rejects.toMatchObject({
      code: 'WHARF_UNAVAILABLE',
      message: expect.stringContaining('--ca <file> or WHARF_API_CA'),
    });
  });
});
