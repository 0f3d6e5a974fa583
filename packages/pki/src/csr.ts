import { WharfError } from '@wharf/model';
import { buildCsrPem, dnAttributesOf, forgePublicKeyPem, parseForgeCsr } from './forge-x509';
import { loadPrivateKey, loadPublicKey, publicKeyPemOf } from './keys';
import { PEM_TYPES, singlePem } from './pem';
import { normalizeSans, type NormalizedSans, type SubjectAltNames } from './profiles';
import { dnAttributes, normalizeDn, type DistinguishedName } from './subject';
import type forge from 'node-forge';

/** What a host asks the CA for. The CA decides what it actually signs (see `SignRequest`). */
export interface CsrOptions {
  /** The requester's private key (PKCS#8 PEM); it never leaves the requester. */
  readonly privateKeyPem: string;
  readonly subject: DistinguishedName;
  readonly sans?: SubjectAltNames;
}

/** A parsed, signature-checked certificate signing request. */
export interface CsrInfo {
  readonly subject: DistinguishedName;
  /** SANs the requester asked for (the CA may ignore them). */
  readonly requestedSans: NormalizedSans;
  /** The key the certificate will certify (SPKI PEM). */
  readonly publicKeyPem: string;
}

/** Creates a CSR (PEM) signed with the requester's key. */
export function createCsr(options: CsrOptions): string {
  const key = loadPrivateKey(options.privateKeyPem);
  normalizeDn(options.subject);
  const sans = normalizeSans(options.sans, 'client');
  const altNames = [
    ...sans.dns.map((value) => ({ type: 2, value })),
    ...sans.ips.map((ip) => ({ type: 7, ip })),
  ];
  const extensions = altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : [];
  return buildCsrPem(dnAttributes(options.subject), extensions, publicKeyPemOf(key), key);
}

/**
 * Parses a CSR and checks its self-signature (proof that the requester holds the private key).
 * WHARF_PKI_INVALID for anything unreadable, unsigned, weak (RSA < 2048) or with a bad subject.
 */
export function parseCsr(pem: string | Buffer): CsrInfo {
  const block = singlePem(pem, PEM_TYPES.csr, 'csr');
  const csr = parseForgeCsr(block);
  let verified = false;
  try {
    verified = csr.verify();
  } catch {
    verified = false;
  }
  if (!verified) {
    throw new WharfError('WHARF_PKI_INVALID', 'invalid csr: signature does not match its key', {
      details: { field: 'csr', reason: 'bad self-signature' },
    });
  }
  const publicKeyPem = forgePublicKeyPem(csr.publicKey as forge.pki.PublicKey);
  loadPublicKey(publicKeyPem); // RSA ≥ 2048
  const attrs = dnAttributesOf(csr.subject.attributes);
  const get = (name: string): string | undefined => attrs.find((a) => a.shortName === name)?.value;
  const subject = normalizeDn(
    { commonName: get('CN') ?? '', organizationalUnit: get('OU'), organization: get('O') },
    'csr.subject',
  );
  return Object.freeze({ subject, requestedSans: requestedSans(csr), publicKeyPem });
}

function requestedSans(csr: forge.pki.CertificateSigningRequest): NormalizedSans {
  const request = csr.getAttribute({ name: 'extensionRequest' }) as {
    extensions?: { name?: string; altNames?: { type: number; value?: string; ip?: string }[] }[];
  } | null;
  const san = request?.extensions?.find((e) => e.name === 'subjectAltName');
  const names = san?.altNames ?? [];
  return normalizeSans(
    {
      dns: names.filter((n) => n.type === 2).map((n) => String(n.value)),
      ips: names.filter((n) => n.type === 7 && n.ip !== undefined).map((n) => n.ip!),
    },
    'client',
  );
}
