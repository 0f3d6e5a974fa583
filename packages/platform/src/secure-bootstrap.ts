/**
 * `wharf up --secure`: the trust an installation needs before ZooKeeper starts, made on this
 * machine the way a bootstrap director would (kubeadm init's certificate phase):
 *
 *   <home>/hosts/<director host>/ca          the CA (key 0600); the director loads this same CA
 *   <home>/zookeeper-tls/                    a `peer` certificate for ZooKeeper's TLS-only port
 *   <home>/hosts/<director host>/zookeeper-tls/  with `--directors 3`: each member's own `peer`
 *                                            certificate, naming its host's address, for its
 *                                            TLS client port and TLS quorum traffic
 *   <home>/hosts/<host>/tls/<service>/       one client certificate per service the host's roles
 *                                            start, plus `runner` — the layout `wharf host enrol`
 *                                            writes and a runner's WHARF_TLS_DIR reads
 *   <home>/hosts/<host>/tls/api-https/       a coordinator host's api HTTPS `server` certificate
 *                                            (localhost, 127.0.0.1, the host's address, the
 *                                            domain); its runner then starts the api on HTTPS
 *
 * Keys are made here and never leave the machine. A certificate that still verifies against the
 * CA and is not yet in its renewal window (@wharf/pki's `renewalDecision`, the policy `wharf pki
 * rotate` and the runner's expiry metric use) is kept, so a restart re-issues nothing.
 */
import { join } from 'node:path';
import {
  CA_CERT_FILE,
  type CertificateAuthority,
  type CertificateInfo,
  type CertificateProfile,
  type ServiceIdentity,
  identitySubject,
  loadOrCreateCa,
  readTlsCredentials,
  normalizeSans,
  renewalDecision,
  servicesForHostRoles,
  writeTlsCredentials,
  x509Id,
} from '@wharf/pki';
import { type Logger } from '@wharf/observability';
import { type EmbeddedZooKeeperTls, type ZkTlsOptions } from '@wharf/zk';
import { createCaFetch } from './ca-fetch';
import { type SimulatedHost } from './host-plan';

/** What the supervisor needs in secure mode. */
export interface SecureInstall {
  /** The installation's CA: every certificate below chains to it, and the director signs with it. */
  readonly ca: CertificateAuthority;
  /** `EmbeddedZooKeeperOptions.tls`: TLS only, client certificates required, the director super. */
  readonly zookeeper: EmbeddedZooKeeperTls;
  /** The CA certificate file (PEM): what clients of the api's HTTPS trust (platform.json `api_ca`). */
  readonly caCertFile: string;
  /** A `fetch` trusting the CA only: `https://` calls to the api (readiness checks). */
  readonly apiFetch: typeof fetch;
  /** WHARF_TLS_DIR of `host`'s runner. */
  tlsDir(hostId: string): string;
  /** The ZooKeeper member certificate of a director host (`members` of {@link prepareSecureInstall}). */
  memberTlsDir(hostId: string): string;
  /** `ZkSessionOptions.tls` of `service` on `hostId` (the supervisor registers each host as its runner). */
  session(hostId: string, service: string): Promise<ZkTlsOptions>;
}

/** A simulated host's TLS directory (`<home>/hosts/<host>/tls`, one `<service>/` each): its runner's WHARF_TLS_DIR. */
export function hostTlsDir(home: string, hostId: string): string {
  return join(home, 'hosts', hostId, 'tls');
}

/**
 * The api's HTTPS certificate directory under a host's TLS directory; the runner
 * (services/runner `API_HTTPS_DIR`) passes it to the api as WHARF_API_TLS_CERT/KEY.
 */
export const API_HTTPS_DIR = 'api-https';

/** The host whose director holds the CA: the first with the role, else host-1. */
export function caHost<H extends { readonly roles: readonly string[] }>(hosts: readonly H[]): H {
  return hosts.find((h) => h.roles.includes('director')) ?? hosts[0]!;
}

function hasRole(host: SimulatedHost, role: string): boolean {
  return (host.roles as readonly string[]).includes(role);
}

/** The CA certificate of a secure install (`<home>/hosts/<CA host>/ca/ca.pem`): what api clients trust. */
export function caCertFile(
  home: string,
  hosts: readonly { readonly id: string; readonly roles: readonly string[] }[],
): string {
  return join(home, 'hosts', caHost(hosts).id, 'ca', CA_CERT_FILE);
}

/** A director host's ZooKeeper member certificate directory. */
export function memberTlsDir(home: string, hostId: string): string {
  return join(home, 'hosts', hostId, 'zookeeper-tls');
}

/**
 * Creates or loads the CA and every certificate the simulated hosts and ZooKeeper need; with
 * `ensemble` (the directors run ZooKeeper), one member certificate per director host too.
 */
export async function prepareSecureInstall(
  home: string,
  hosts: readonly SimulatedHost[],
  options: {
    passphrase?: string | undefined;
    now?: Date;
    logger?: Logger;
    ensemble?: boolean;
    /** The platform's domain (`--domain`), also named by the api's HTTPS certificate. */
    domain?: string;
  } = {},
): Promise<SecureInstall> {
  const now = options.now ?? new Date();
  const owner = caHost(hosts);
  const { ca } = await loadOrCreateCa(
    join(home, 'hosts', owner.id, 'ca'),
    options.passphrase === undefined ? {} : { passphrase: options.passphrase },
  );
  const tlsDir = (hostId: string) => hostTlsDir(home, hostId);
  for (const host of hosts) {
    for (const service of ['runner', ...servicesForHostRoles(host.roles)]) {
      await ensureCertificate(ca, join(tlsDir(host.id), service), { hostId: host.id, role: service }, now);
    }
    if (host.apiPort !== undefined) {
      await ensureCertificate(ca, join(tlsDir(host.id), API_HTTPS_DIR), apiIdentity(host), now, {
        profile: 'server',
        sans: apiServerNames(host, options.domain),
      });
    }
  }
  const zkDir = join(home, 'zookeeper-tls');
  const server = await ensureCertificate(ca, zkDir, { hostId: 'zookeeper', role: 'zookeeper' }, now, {
    profile: 'peer',
    sans: { dns: ['localhost'], ips: hosts.map((h) => h.address) },
  });
  const members = options.ensemble === true ? hosts.filter((h) => hasRole(h, 'director')) : [];
  for (const member of members) await ensureMemberCertificate(ca, home, member, now);
  const director = { hostId: owner.id, role: 'director' };
  options.logger?.info('secure mode: certificates ready, ZooKeeper will require them', {
    caHost: owner.id,
    ca: ca.info.x509Id,
  });
  return {
    ca,
    caCertFile: caCertFile(home, hosts),
    apiFetch: createCaFetch({ ca: ca.certPem, caSource: caCertFile(home, hosts) }),
    zookeeper: {
      cert: server.cert,
      key: server.key,
      ca: ca.certPem,
      // The director repairs ACLs; nobody else bypasses them.
      superUser: x509Id(identitySubject(director)),
    },
    tlsDir,
    memberTlsDir: (hostId) => memberTlsDir(home, hostId),
    session: async (hostId, service) => readTlsCredentials(join(tlsDir(hostId), service)),
  };
}

/**
 * The api's server certificate subject: OU=api-https, not the api's ZooKeeper OU=api, so the key
 * a web server holds never matches an ACL (and a `server` certificate has no clientAuth anyway).
 */
function apiIdentity(host: SimulatedHost): ServiceIdentity {
  return { hostId: host.id, role: API_HTTPS_DIR };
}

/**
 * What clients may call the api: `localhost` and 127.0.0.1 (the CLI's defaults), the host's own
 * address (127.0.0.n, what the runner's health check and the platform file use) and the domain.
 */
export function apiServerNames(
  host: Pick<SimulatedHost, 'address'>,
  domain: string | undefined,
): { dns: string[]; ips: string[] } {
  const dns = ['localhost', ...(domain === undefined || domain === 'localhost' ? [] : [domain])];
  return { dns, ips: [...new Set(['127.0.0.1', host.address])] };
}

/**
 * A member's certificate names its own address only, so one member's key cannot pass for
 * another's host (ZooKeeper verifies host names on quorum connections, both ways). On loopback
 * it also names `localhost`: a connection from another 127.x member arrives from 127.0.0.1, and
 * ZooKeeper then accepts the name that address resolves to.
 */
async function ensureMemberCertificate(
  ca: CertificateAuthority,
  home: string,
  host: SimulatedHost,
  now: Date,
): Promise<void> {
  const loopback = host.address.startsWith('127.');
  await ensureCertificate(ca, memberTlsDir(home, host.id), { hostId: host.id, role: 'zookeeper' }, now, {
    profile: 'peer',
    sans: { dns: loopback ? ['localhost'] : [], ips: [host.address] },
  });
}

/**
 * The credentials in `dir`, issued anew when missing, from another CA, due for renewal, or (with
 * `extra`) of another profile or naming other hosts than wanted (a new `--domain`, say).
 */
async function ensureCertificate(
  ca: CertificateAuthority,
  dir: string,
  identity: ServiceIdentity,
  now: Date,
  extra: { profile: 'peer' | 'server'; sans: { dns: string[]; ips: string[] } } | undefined = undefined,
): Promise<{ cert: string; key: string; ca: string }> {
  const current = await readTlsCredentials(dir).catch(() => undefined);
  if (current !== undefined && current.ca === ca.certPem) {
    try {
      const info = ca.verify(current.cert, { now });
      const named = extra === undefined || sameNames(info, extra);
      if (named && renewalDecision(info, now).action === 'keep') return current;
    } catch {
      // Not ours, or no longer valid: issue a new one below.
    }
  }
  const issued = await ca.issue({
    profile: extra?.profile ?? 'client',
    subject: identity,
    now,
    ...(extra === undefined ? {} : { sans: extra.sans }),
  });
  const credentials = { ca: ca.certPem, cert: issued.certPem, key: issued.keyPem };
  await writeTlsCredentials(dir, credentials);
  return credentials;
}

function sameNames(
  info: CertificateInfo,
  wanted: { profile: CertificateProfile; sans: { dns: string[]; ips: string[] } },
): boolean {
  const sans = normalizeSans(wanted.sans, wanted.profile);
  const same = (a: readonly string[], b: readonly string[]) => a.join(',') === b.join(',');
  return info.profile === wanted.profile && same(info.sans.dns, sans.dns) && same(info.sans.ips, sans.ips);
}
