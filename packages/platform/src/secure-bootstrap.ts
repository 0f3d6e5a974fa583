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
 *
 * Keys are made here and never leave the machine. A certificate that still verifies against the
 * CA and is not yet in its renewal window (@wharf/pki's `renewalDecision`, the policy `wharf pki
 * rotate` and the runner's expiry metric use) is kept, so a restart re-issues nothing.
 */
import { join } from 'node:path';
import {
  type CertificateAuthority,
  type ServiceIdentity,
  identitySubject,
  loadOrCreateCa,
  readTlsCredentials,
  renewalDecision,
  servicesForHostRoles,
  writeTlsCredentials,
  x509Id,
} from '@wharf/pki';
import { type Logger } from '@wharf/observability';
import { type EmbeddedZooKeeperTls, type ZkTlsOptions } from '@wharf/zk';
import { type SimulatedHost } from './host-plan';

/** What the supervisor needs in secure mode. */
export interface SecureInstall {
  /** The installation's CA: every certificate below chains to it, and the director signs with it. */
  readonly ca: CertificateAuthority;
  /** `EmbeddedZooKeeperOptions.tls`: TLS only, client certificates required, the director super. */
  readonly zookeeper: EmbeddedZooKeeperTls;
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

/** The host whose director holds the CA: the first with the role, else host-1. */
export function caHost(hosts: readonly SimulatedHost[]): SimulatedHost {
  return hosts.find((h) => hasRole(h, 'director')) ?? hosts[0]!;
}

function hasRole(host: SimulatedHost, role: string): boolean {
  return (host.roles as readonly string[]).includes(role);
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

/** The credentials in `dir`, issued anew when missing, from another CA, or due for renewal. */
async function ensureCertificate(
  ca: CertificateAuthority,
  dir: string,
  identity: ServiceIdentity,
  now: Date,
  extra: { profile: 'peer'; sans: { dns: string[]; ips: string[] } } | undefined = undefined,
): Promise<{ cert: string; key: string; ca: string }> {
  const current = await readTlsCredentials(dir).catch(() => undefined);
  if (current !== undefined && current.ca === ca.certPem) {
    try {
      if (renewalDecision(ca.verify(current.cert, { now }), now).action === 'keep') return current;
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
