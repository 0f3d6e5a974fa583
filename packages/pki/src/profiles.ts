import { isIP } from 'node:net';
import { WharfError } from '@wharf/model';

/**
 * What a certificate is for, which fixes its extensions:
 * - `server`: TLS server only (`serverAuth`), e.g. the proxy's wildcard certificate;
 * - `client`: TLS client only (`clientAuth`), e.g. a service's ZooKeeper identity;
 * - `peer`: both, for processes that accept and open TLS connections (ZooKeeper servers in a
 *   quorum, the director, the API behind HTTPS that also talks to ZooKeeper).
 */
export type CertificateProfile = 'server' | 'client' | 'peer';

/** Every profile (for validation of external input). */
export const CERTIFICATE_PROFILES: readonly CertificateProfile[] = Object.freeze([
  'server',
  'client',
  'peer',
]);

/** Subject alternative names. Node's TLS ignores the CN: servers need their names here. */
export interface SubjectAltNames {
  /** DNS names; a leading `*.` label makes a wildcard (`*.example.com`). */
  readonly dns?: readonly string[];
  /** IPv4 or IPv6 addresses. */
  readonly ips?: readonly string[];
}

/** SANs validated, de-duplicated, lower-cased and sorted. */
export interface NormalizedSans {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/** Most SANs on one certificate: a host's names and addresses, not a CDN's. */
export const MAX_SANS = 64;

/** Extended key usages by profile (OID names as forge spells them). */
export const PROFILE_USAGES: Readonly<
  Record<CertificateProfile, { serverAuth: boolean; clientAuth: boolean }>
> = Object.freeze({
  server: { serverAuth: true, clientAuth: false },
  client: { serverAuth: false, clientAuth: true },
  peer: { serverAuth: true, clientAuth: true },
});

// RFC 1123 labels, optionally a leading wildcard label; at most 253 characters in all.
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const MAX_DNS_NAME_LENGTH = 253;

/** Validates SANs; WHARF_PKI_INVALID names the offending entry. A server certificate needs one. */
export function normalizeSans(
  sans: SubjectAltNames | undefined,
  profile: CertificateProfile,
): NormalizedSans {
  const dns = [...new Set((sans?.dns ?? []).map((name, i) => dnsName(name, i)))].sort();
  const ips = [...new Set((sans?.ips ?? []).map((ip, i) => ipAddress(ip, i)))].sort();
  if (dns.length + ips.length > MAX_SANS) {
    throw sanError('sans', dns.length + ips.length, `at most ${MAX_SANS} names`);
  }
  if (profile !== 'client' && dns.length + ips.length === 0) {
    throw sanError('sans', [], 'a server certificate needs at least one DNS name or IP address');
  }
  return Object.freeze({ dns: Object.freeze(dns), ips: Object.freeze(ips) });
}

/** Throws WHARF_PKI_INVALID unless `value` is a profile. */
export function assertProfile(value: unknown): CertificateProfile {
  if (!CERTIFICATE_PROFILES.includes(value as CertificateProfile)) {
    throw new WharfError('WHARF_PKI_INVALID', 'invalid certificate profile', {
      details: { field: 'profile', value, allowed: CERTIFICATE_PROFILES },
    });
  }
  return value as CertificateProfile;
}

/** forge extensions of a leaf certificate. `authorityKeyId` is the issuer's key identifier (bytes). */
export function leafExtensions(
  profile: CertificateProfile,
  sans: NormalizedSans,
  authorityKeyId: string,
): Record<string, unknown>[] {
  const altNames = [
    ...sans.dns.map((value) => ({ type: 2, value })),
    ...sans.ips.map((ip) => ({ type: 7, ip })),
  ];
  return [
    { name: 'basicConstraints', cA: false, critical: true },
    // digitalSignature for (EC)DHE-RSA handshakes, keyEncipherment for RSA key exchange (TLS 1.2).
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', ...PROFILE_USAGES[profile] },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId },
  ];
}

/**
 * forge extensions of the root CA. `pathLenConstraint: 0`: the root signs leaf certificates only,
 * so a stolen leaf key can never mint certificates even if a verifier forgot to check `cA`.
 */
export function caExtensions(): Record<string, unknown>[] {
  return [
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
}

/** The profile a certificate's extended key usages amount to, or null (none, or a CA). */
export function profileOfUsages(serverAuth: boolean, clientAuth: boolean): CertificateProfile | null {
  if (serverAuth && clientAuth) return 'peer';
  if (serverAuth) return 'server';
  if (clientAuth) return 'client';
  return null;
}

function dnsName(value: unknown, index: number): string {
  const name = typeof value === 'string' ? value.toLowerCase() : '';
  if (name.length === 0 || name.length > MAX_DNS_NAME_LENGTH || !DNS_NAME.test(name)) {
    throw sanError(`sans.dns[${index}]`, value, 'not a DNS name');
  }
  return name;
}

function ipAddress(value: unknown, index: number): string {
  if (typeof value !== 'string' || isIP(value) === 0)
    throw sanError(`sans.ips[${index}]`, value, 'not an IP address');
  return value;
}

function sanError(field: string, value: unknown, reason: string): WharfError {
  return new WharfError('WHARF_PKI_INVALID', `invalid ${field}: ${reason}`, {
    details: { field, value, reason },
  });
}
