import { once } from 'node:events';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { createRootCa, type CertificateAuthority, type IssuedKeyPair } from '@wharf/pki';

/** What a TLS client saw: authorized by the server, refused (with the error code), or neither in time. */
type Outcome = { ok: true; peerSubject: string } | { ok: false; code: string };

const ATTEMPT_TIMEOUT_MS = 5000;

let ca: CertificateAuthority;
let other: CertificateAuthority;
let serverCert: IssuedKeyPair;
let server: Server;
let port: number;
const seenByServer: string[] = [];
const refusedByServer: string[] = [];

beforeAll(async () => {
  [ca, other] = await Promise.all([createRootCa(), createRootCa({ commonName: 'Other CA' })]);
  serverCert = await ca.issue({
    profile: 'peer',
    subject: { hostId: 'host-1', role: 'director' },
    sans: { dns: ['localhost'], ips: ['127.0.0.1'] },
  });
  server = createServer(
    {
      ca: ca.certPem,
      cert: serverCert.certPem,
      key: serverCert.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      const peer = socket.getPeerCertificate();
      seenByServer.push(`${peer.subject.CN}/${peer.subject.OU}`);
      socket.end('hello');
    },
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException) => refusedByServer.push(err.code ?? err.message));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
}, 30_000);

afterAll(async () => {
  server?.close();
});

/** Connects with `identity` (or none), trusting `trust`; resolves when the server's greeting arrives or it fails. */
function attempt(identity: { certPem: string; keyPem: string } | null, trust = ca.certPem): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      ca: trust,
      ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
    });
    const timer = setTimeout(() => finish({ ok: false, code: 'timeout' }), ATTEMPT_TIMEOUT_MS);
    function finish(outcome: Outcome): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    }
    // With TLS 1.3 the client finishes its handshake before the server judged its certificate:
    // success is the server's first bytes, not `secureConnect`.
    socket.once('data', () =>
      finish({ ok: true, peerSubject: String(socket.getPeerCertificate().subject.CN) }),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish({ ok: false, code: err.code ?? err.message }),
    );
    socket.once('close', () => finish({ ok: false, code: 'closed' }));
  });
}

describe('mutual TLS with certificates from the CA', () => {
  test('a client certificate from the CA is accepted; the server sees its host and role', async () => {
    const client = await ca.issue({ profile: 'client', subject: { hostId: 'host-2', role: 'allocator' } });
    await expect(attempt(client)).resolves.toEqual({ ok: true, peerSubject: 'host-1' });
    expect(seenByServer).toContain('host-2/allocator');
  });

  test('a client certificate from another CA is refused', async () => {
    const foreign = await other.issue({
      profile: 'client',
      subject: { hostId: 'host-2', role: 'allocator' },
    });
    const served = seenByServer.length;
    await expect(attempt(foreign)).resolves.toMatchObject({ ok: false });
    // Node's server verifies after the handshake and destroys the socket: the handler never runs.
    expect(seenByServer).toHaveLength(served);
  });

  test('no client certificate is refused', async () => {
    refusedByServer.length = 0;
    await expect(attempt(null)).resolves.toMatchObject({ ok: false });
    expect(refusedByServer).toEqual([expect.stringMatching(/PEER_DID_NOT_RETURN_A_CERTIFICATE/)]);
  });

  test('a server-only certificate cannot be used as a client certificate', async () => {
    const serverOnly = await ca.issue({
      profile: 'server',
      subject: { hostId: 'host-3', role: 'proxy' },
      sans: { dns: ['localhost'] },
    });
    const served = seenByServer.length;
    await expect(attempt(serverOnly)).resolves.toMatchObject({ ok: false });
    expect(seenByServer).toHaveLength(served);
  });

  test('the client refuses a server that does not chain to the CA it trusts', async () => {
    const client = await ca.issue({ profile: 'client', subject: { hostId: 'host-2', role: 'allocator' } });
    await expect(attempt(client, other.certPem)).resolves.toMatchObject({
      ok: false,
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
  });
});
