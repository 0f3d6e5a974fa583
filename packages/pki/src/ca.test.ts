import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { isWharfError } from '@wharf/model';
import { CA_VALIDITY_DAYS, CLOCK_SKEW_ALLOWANCE_MS, createRootCa, type CertificateAuthority } from './ca';
import { createCsr, parseCsr } from './csr';
import { buildCertificatePem, buildCsrPem } from './forge-x509';
import { CA_KEY_BITS, generateRsaKeyPair, loadPrivateKey } from './keys';
import { dnAttributes } from './subject';

const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2030-01-01T00:00:00Z');
let ca: CertificateAuthority;
let other: CertificateAuthority;

beforeAll(async () => {
  [ca, other] = await Promise.all([
    createRootCa({ now: T0 }),
    createRootCa({ commonName: 'Other CA', now: T0 }),
  ]);
}, 30_000);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isWharfError(err)
      ? `${err.code}:${String((err.details as { reason?: string }).reason ?? '')}`
      : 'other';
  }
  return undefined;
}

describe('root CA', () => {
  test('is a self-signed RSA-3072 CA for 10 years, path length 0', () => {
    const x = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(true);
    expect(x.checkIssued(x)).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(CA_KEY_BITS);
    expect(ca.info.subject).toEqual({ commonName: 'Wharf Root CA', organization: 'Wharf' });
    expect(ca.info.notAfter.getTime() - T0.getTime()).toBe(CA_VALIDITY_DAYS * DAY);
    expect(ca.info.notBefore.getTime()).toBe(T0.getTime() - CLOCK_SKEW_ALLOWANCE_MS);
    expect(x.toLegacyObject().serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
  });

  test('never shows its key in JSON or inspect output', () => {
    const key = ca.exportKeyPem();
    expect(key).toContain('BEGIN PRIVATE KEY');
    expect(JSON.stringify(ca)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(ca)).toContain('BEGIN CERTIFICATE');
    expect(inspect(ca, { showHidden: true, depth: 5 })).not.toContain('PRIVATE');
  });
});

describe('signing a CSR', () => {
  test('certifies the CSR key with the identity and SANs the CA decides, for the profile asked', async () => {
    const keys = await generateRsaKeyPair();
    const csr = createCsr({
      privateKeyPem: keys.privateKeyPem,
      subject: { commonName: 'evil', organizationalUnit: 'director' },
      sans: { dns: ['wanted.example'] },
    });
    expect(parseCsr(csr).subject).toMatchObject({ commonName: 'evil', organizationalUnit: 'director' });
    expect(parseCsr(csr).requestedSans.dns).toEqual(['wanted.example']);

    const issued = ca.signCsr(csr, {
      profile: 'peer',
      subject: { hostId: 'host-2', role: 'allocator' },
      sans: { dns: ['Host-2.Local', 'localhost'], ips: ['127.0.0.1', '::1'] },
      now: T0,
    });
    const x = new X509Certificate(issued.certPem);
    expect(x.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(x.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x.publicKey.export({ type: 'spki', format: 'pem' })).toBe(keys.publicKeyPem);
    expect(x.subject).toBe('O=Wharf\nOU=allocator\nCN=host-2');
    expect(x.subjectAltName).toBe(
      'DNS:host-2.local, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x.ca).toBe(false);
    expect(issued.info).toMatchObject({
      x509Id: 'CN=host-2,OU=allocator,O=Wharf',
      identity: { hostId: 'host-2', role: 'allocator' },
      profile: 'peer',
      isCa: false,
    });
    expect(issued.info.notAfter.getTime() - T0.getTime()).toBe(365 * DAY);
  });

  test('sets extended key usage by profile', async () => {
    const server = await ca.issue({
      profile: 'server',
      subject: { commonName: 'proxy' },
      sans: { dns: ['*.localhost'] },
      now: T0,
    });
    const client = await ca.issue({ profile: 'client', subject: { hostId: 'h1', role: 'proxy' }, now: T0 });
    expect(new X509Certificate(server.certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new X509Certificate(client.certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(server.info.sans.dns).toEqual(['*.localhost']);
    expect(client.keyPem).toContain('BEGIN PRIVATE KEY');
  });

  test('refuses a tampered CSR, a server certificate without names, bad ids and bad lifetimes', async () => {
    const [keys, thief] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
    const csr = createCsr({ privateKeyPem: keys.privateKeyPem, subject: { commonName: 'a' } });
    // A CSR for someone else's public key, signed with the requester's own key: no proof of possession.
    const stolen = buildCsrPem(
      dnAttributes({ commonName: 'a' }),
      [],
      keys.publicKeyPem,
      loadPrivateKey(thief.privateKeyPem),
    );
    expect(codeOf(() => ca.signCsr(stolen, { profile: 'client', subject: { commonName: 'a' } }))).toBe(
      'WHARF_PKI_INVALID:bad self-signature',
    );
    expect(codeOf(() => ca.signCsr(csr, { profile: 'server', subject: { commonName: 'a' } }))).toMatch(
      /^WHARF_PKI_INVALID/,
    );
    expect(
      codeOf(() => ca.signCsr(csr, { profile: 'client', subject: { hostId: 'Bad_Id', role: 'x' } })),
    ).toMatch(/^WHARF_PKI_INVALID/);
    expect(
      codeOf(() =>
        ca.signCsr(csr, { profile: 'client', subject: { commonName: 'a' }, validityDays: 10_000 }),
      ),
    ).toMatch(/^WHARF_PKI_INVALID/);
    expect(codeOf(() => ca.signCsr(csr, { profile: 'client', subject: { commonName: 'a,OU=x' } }))).toMatch(
      /^WHARF_PKI_INVALID/,
    );
    expect(
      codeOf(() => ca.signCsr('not a csr', { profile: 'client', subject: { commonName: 'a' } })),
    ).toMatch(/^WHARF_PKI_INVALID/);
  });

  test('refuses a CSR for a weak or non-RSA key', () => {
    const weak = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect(codeOf(() => createCsr({ privateKeyPem: weak.privateKey, subject: { commonName: 'a' } }))).toMatch(
      /^WHARF_PKI_INVALID/,
    );
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect(codeOf(() => createCsr({ privateKeyPem: ec.privateKey, subject: { commonName: 'a' } }))).toMatch(
      /^WHARF_PKI_INVALID/,
    );
  });

  test('never issues past the CA certificate', async () => {
    const late = new Date(ca.info.notAfter.getTime() - 10 * DAY);
    const issued = await ca.issue({ profile: 'client', subject: { commonName: 'a' }, now: late });
    expect(issued.info.notAfter.getTime()).toBe(ca.info.notAfter.getTime());
    await expect(
      ca.issue({
        profile: 'client',
        subject: { commonName: 'a' },
        now: new Date(ca.info.notAfter.getTime() + 1),
      }),
    ).rejects.toMatchObject({ code: 'WHARF_PKI_KEY_ERROR' });
  });
});

describe('verification', () => {
  test('accepts its own leaf, refuses another CA, expiry, early use and the wrong purpose', async () => {
    const leaf = await ca.issue({ profile: 'client', subject: { hostId: 'h1', role: 'api' }, now: T0 });
    const foreign = await other.issue({ profile: 'client', subject: { hostId: 'h1', role: 'api' }, now: T0 });
    const day1 = new Date(T0.getTime() + DAY);
    expect(ca.verify(leaf.certPem, { now: day1, purpose: 'clientAuth' }).x509Id).toBe('CN=h1,OU=api,O=Wharf');
    expect(codeOf(() => ca.verify(foreign.certPem, { now: day1 }))).toBe(
      'WHARF_PKI_UNTRUSTED:unknown_certificate_authority',
    );
    expect(codeOf(() => ca.verify(leaf.certPem, { now: new Date(T0.getTime() + 400 * DAY) }))).toBe(
      'WHARF_PKI_UNTRUSTED:certificate_expired',
    );
    expect(codeOf(() => ca.verify(leaf.certPem, { now: new Date(T0.getTime() - DAY) }))).toBe(
      'WHARF_PKI_UNTRUSTED:certificate_expired',
    );
    expect(codeOf(() => ca.verify(leaf.certPem, { now: day1, purpose: 'serverAuth' }))).toBe(
      'WHARF_PKI_UNTRUSTED:wrong_purpose',
    );
    expect(codeOf(() => ca.verify(ca.certPem + leaf.certPem, { now: day1 }))).toMatch(/^WHARF_PKI_UNTRUSTED/);
  });

  test('a leaf cannot act as a CA (cA false; the root allows no intermediates)', async () => {
    const leaf = await ca.issue({
      profile: 'peer',
      subject: { commonName: 'x' },
      sans: { dns: ['x'] },
      now: T0,
    });
    const victim = await generateRsaKeyPair();
    const forged = buildCertificatePem(
      {
        subject: dnAttributes({ commonName: 'victim' }),
        issuer: dnAttributes({ commonName: 'x' }),
        publicKeyPem: victim.publicKeyPem,
        notBefore: T0,
        notAfter: new Date(T0.getTime() + 10 * DAY),
        extensions: [{ name: 'extKeyUsage', clientAuth: true }],
      },
      loadPrivateKey(leaf.keyPem),
    );
    const at = new Date(T0.getTime() + DAY);
    expect(new X509Certificate(forged).verify(new X509Certificate(leaf.certPem).publicKey)).toBe(true);
    expect(codeOf(() => ca.verify(forged + leaf.certPem, { now: at }))).toMatch(/^WHARF_PKI_UNTRUSTED/);
    expect(() => ca.verify(leaf.certPem + ca.certPem, { now: at })).not.toThrow();
  });
});

describe('reissue', () => {
  test('keeps subject, SANs and profile with a new key and period; refuses foreign certificates', async () => {
    const old = await ca.issue({
      profile: 'peer',
      subject: { hostId: 'h9', role: 'director' },
      sans: { ips: ['127.0.0.1'] },
      now: T0,
    });
    const later = new Date(T0.getTime() + 500 * DAY); // the old one has expired: still re-issuable
    const renewed = await ca.reissue(old.certPem, { now: later });
    expect(renewed.info).toMatchObject({ x509Id: old.info.x509Id, profile: 'peer', sans: old.info.sans });
    expect(renewed.info.notAfter.getTime()).toBe(later.getTime() + 365 * DAY);
    expect(renewed.keyPem).not.toBe(old.keyPem);
    expect(renewed.info.serialHex).not.toBe(old.info.serialHex);
    const foreign = await other.issue({ profile: 'client', subject: { commonName: 'x' }, now: T0 });
    await expect(ca.reissue(foreign.certPem)).rejects.toMatchObject({ code: 'WHARF_PKI_UNTRUSTED' });
  });
});
