import { WharfError, isValidId } from '@wharf/model';

/** `O` of every certificate Wharf issues: names the issuer's world, not a tenant. */
export const WHARF_ORGANIZATION = 'Wharf';

/**
 * Longest CN/OU/O value (RFC 5280's upper bound for `commonName` is 64 characters, and
 * X.520's for `organizationalUnitName` too).
 */
export const MAX_DN_VALUE_LENGTH = 64;

/**
 * A certificate subject (or issuer). Only these three attributes: they are all Wharf needs and
 * keep the ZooKeeper x509 id (see {@link x509Id}) predictable.
 */
export interface DistinguishedName {
  /** `CN`: the host id for service certificates, a display name for the CA. */
  readonly commonName: string;
  /** `OU`: the role for service certificates. */
  readonly organizationalUnit?: string;
  /** `O`: defaults to {@link WHARF_ORGANIZATION}. */
  readonly organization?: string;
}

/**
 * Who a service certificate names: the host it runs on and its role (`allocator`, `proxy`,
 * `director`, …). ZooKeeper ACLs and the director's enrolment key on this pair.
 */
export interface ServiceIdentity {
  readonly hostId: string;
  readonly role: string;
}

// Printable characters without the ones RFC 4514/2253 escapes (, + " \ < > ; =) or that would
// confuse a log line: every value stays identical in the certificate and in its x509 id.
const DN_VALUE = /^[A-Za-z0-9][A-Za-z0-9 ._:@()/-]*$/;

/** Validates a DN and fills in the organization; WHARF_PKI_INVALID names the bad field. */
export function normalizeDn(dn: DistinguishedName, field = 'subject'): Required<DistinguishedName> {
  const out = {
    commonName: dnValue(`${field}.commonName`, dn.commonName),
    organizationalUnit:
      dn.organizationalUnit === undefined || dn.organizationalUnit === ''
        ? ''
        : dnValue(`${field}.organizationalUnit`, dn.organizationalUnit),
    organization: dnValue(`${field}.organization`, dn.organization ?? WHARF_ORGANIZATION),
  };
  return Object.freeze(out);
}

/** The subject of a service certificate: `O=Wharf, OU=<role>, CN=<hostId>`. Ids must be Wharf ids. */
export function identitySubject(identity: ServiceIdentity): DistinguishedName {
  for (const [field, value] of [
    ['hostId', identity.hostId],
    ['role', identity.role],
  ] as const) {
    if (!isValidId(value)) {
      throw new WharfError('WHARF_PKI_INVALID', `invalid ${field}`, {
        details: { field, value: String(value).slice(0, MAX_DN_VALUE_LENGTH) },
      });
    }
  }
  return { commonName: identity.hostId, organizationalUnit: identity.role, organization: WHARF_ORGANIZATION };
}

/** The identity a service certificate's subject names, or null when it is not one (no OU, bad ids). */
export function identityOf(dn: DistinguishedName): ServiceIdentity | null {
  const role = dn.organizationalUnit ?? '';
  if (!isValidId(dn.commonName) || !isValidId(role)) return null;
  return { hostId: dn.commonName, role };
}

/**
 * The id ZooKeeper's `X509AuthenticationProvider` gives a client presenting a certificate with
 * this subject: Java's `X500Principal.getName()` (RFC 2253), which lists RDNs most specific
 * first — the reverse of their order in the certificate. Subjects are built O, OU, CN, so this
 * is `CN=<hostId>,OU=<role>,O=Wharf`. Use it in ACLs as `{ scheme: 'x509', id }`.
 */
export function x509Id(dn: DistinguishedName): string {
  return rfc2253(dnAttributes(dn));
}

/**
 * RFC 2253 string of RDN attributes given in certificate order (as Java's `X500Principal.getName()`
 * prints them: reversed, `,`-joined, specials escaped). For subjects Wharf did not build.
 */
export function rfc2253(attrs: readonly { shortName: string; value: string }[]): string {
  return [...attrs]
    .reverse()
    .map((a) => `${a.shortName}=${escapeRfc2253(a.value)}`)
    .join(',');
}

function escapeRfc2253(value: string): string {
  return value
    .replace(/[,+"\\<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

/** forge's attribute list for a DN, in certificate order (O, OU, CN). */
export function dnAttributes(dn: DistinguishedName): { shortName: string; value: string }[] {
  const n = normalizeDn(dn);
  const attrs = [{ shortName: 'O', value: n.organization }];
  if (n.organizationalUnit !== '') attrs.push({ shortName: 'OU', value: n.organizationalUnit });
  attrs.push({ shortName: 'CN', value: n.commonName });
  return attrs;
}

function dnValue(field: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length > MAX_DN_VALUE_LENGTH ||
    !DN_VALUE.test(value) ||
    /\s$/.test(value)
  ) {
    throw new WharfError('WHARF_PKI_INVALID', `invalid ${field}`, {
      details: {
        field,
        value: typeof value === 'string' ? value.slice(0, MAX_DN_VALUE_LENGTH) : value,
        reason: `1–${MAX_DN_VALUE_LENGTH} characters of [A-Za-z0-9 ._:@()/-], starting with a letter or digit`,
      },
    });
  }
  return value;
}
