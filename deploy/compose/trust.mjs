/**
 * The compose install's trust, made by the one-shot `init` service before anything else starts
 * (kubeadm init's certificate phase; the same steps as `wharf up --secure`,
 * packages/platform/src/secure-bootstrap.ts):
 *
 *   $WHARF_DATA/director/ca/               the CA (ca.key 0600): the director's volume only
 *   $WHARF_DATA/<service>/tls/             one client certificate per service container,
 *                                          CN=<its WHARF_ID>,OU=<role>,O=Wharf — ZooKeeper's ACLs
 *                                          name roles (packages/zk/src/zk-acl-policy.ts)
 *   $WHARF_DATA/zookeeper/conf/tls/        ZooKeeper's `peer` certificate as PEM key/trust stores
 *   $WHARF_DATA/haproxy/api.pem            the api's HTTPS certificate + key for HAProxy
 *
 * Why init and not the director's enrolment: enrolment needs a roles token that the api writes
 * into ZooKeeper, and ZooKeeper needs its own certificate before it can start. So the bootstrap
 * certificates are signed here, offline, with the CA the `director` service then loads from the
 * same directory and runs (CA published in /director/ca, renewals over mutual TLS, quorum health).
 *
 * Runs inside the wharf/director image (its @wharf/pki and @wharf/zk; no openssl). A certificate
 * that verifies against the CA, names the wanted SANs and is not due for renewal is kept, so a
 * second `docker-compose up` re-issues nothing.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Where the director image keeps the staged monorepo (docker/service.Dockerfile). */
const APP_ROOT = process.env.WHARF_APP_ROOT || '/app';
const require = createRequire(join(APP_ROOT, 'package.json'));
const pki = require('@wharf/pki');
const zk = require('@wharf/zk');

/** The service containers and the role each certificate names (compose service → OU). */
export const SERVICE_ROLES = Object.freeze({
  director: 'director',
  api: 'api',
  'constructor-1': 'constructor',
  'constructor-2': 'constructor',
  'allocator-a': 'allocator',
  'allocator-b': 'allocator',
  'allocator-c': 'allocator',
  'proxy-1': 'proxy',
  'proxy-2': 'proxy',
});

/** The WHARF_ID docker-compose.yml gives each service (the api's is `api-1`). */
export function serviceId(prefix, service) {
  return `${prefix}${service === 'api' ? 'api-1' : service}`;
}

/** Every director certificate is ZooKeeper's super user (Wharf's provider matches role-wide ids). */
export const SUPER_USER = 'OU=director,O=Wharf';

/** ZooKeeper's key and trust stores as the container sees them (conf is mounted at /conf). */
export const ZK_CONTAINER_TLS_DIR = '/conf/tls';

/**
 * Creates or loads the CA and every certificate; returns zoo.cfg's TLS lines. `owner` is the
 * services' uid: every file is chowned to it (init runs as root).
 */
export async function ensureTrust({ data, bind, prefix, apiNames, owner, log }) {
  const now = new Date();
  // Ids first (WHARF_PKI_INVALID naming the field): a bad WHARF_ID_PREFIX writes nothing.
  for (const [service, role] of Object.entries(SERVICE_ROLES)) {
    pki.identitySubject({ hostId: serviceId(prefix, service), role });
  }
  const caDir = join(data, 'director', 'ca');
  const { ca, created } = await pki.loadOrCreateCa(caDir);
  chownTree(caDir, owner);
  log(created ? 'CA created' : 'CA loaded', { dir: caDir, fingerprint: pki.caFingerprint(ca.certPem) });
  let issued = 0;
  const ensure = async (dir, subject, profile, sans) => {
    const result = await ensureCertificate(ca, dir, subject, profile, sans, now);
    if (result.issued) issued += 1;
    chownTree(dir, owner);
    return result.credentials;
  };
  const loopback = { dns: ['localhost'], ips: unique(['127.0.0.1', bind]) };
  // Key generation (RSA-2048, native, on libuv's pool) is most of a first run: all at once.
  const [server, https] = await Promise.all([
    ensure(
      join(data, 'zookeeper', 'tls'),
      { hostId: `${prefix}zookeeper`, role: 'zookeeper' },
      'peer',
      loopback,
    ),
    ensure(join(data, 'haproxy', 'api-tls'), { hostId: serviceId(prefix, 'api'), role: 'api' }, 'server', {
      dns: unique(['localhost', ...apiNames.dns]),
      ips: unique([...loopback.ips, ...apiNames.ips]),
    }),
    ...Object.entries(SERVICE_ROLES).map(([service, role]) =>
      ensure(join(data, service, 'tls'), { hostId: serviceId(prefix, service), role }, 'client'),
    ),
  ]);
  writeZkStores(join(data, 'zookeeper', 'conf', 'tls'), server, owner);
  writeSecret(join(data, 'haproxy', 'api.pem'), `${https.cert.trim()}\n${https.key.trim()}\n`, owner);
  log('certificates ready', {
    issued,
    kept: Object.keys(SERVICE_ROLES).length + 2 - issued,
    ms: Date.now() - now.getTime(),
  });
  return {
    ...zk.renderSecureClientPort({
      host: bind,
      port: Number(process.env.WHARF_ZK_PORT),
      tlsDir: ZK_CONTAINER_TLS_DIR,
      clientAuth: 'need',
      x509Auth: true,
      x509Provider: zk.WHARF_X509_AUTH_PROVIDER,
    }),
    // zoo.cfg keys it does not know become `zookeeper.<key>` system properties (QuorumPeerConfig).
    [zk.X509_SUPERUSER_PROPERTY.slice('zookeeper.'.length)]: SUPER_USER,
  };
}

/** The credentials in `dir`, issued anew when missing, from another CA, other SANs, or due. */
async function ensureCertificate(ca, dir, subject, profile, sans, now) {
  const current = await pki.readTlsCredentials(dir).catch(() => undefined);
  if (current !== undefined && current.ca === ca.certPem) {
    try {
      const info = ca.verify(current.cert, { now });
      const sameSans = sans === undefined || sameNames(info.sans, pki.normalizeSans(sans, profile));
      const due = pki.renewalDecision(info, now).action !== 'keep';
      if (sameSans && !due && info.profile === profile) return { credentials: current, issued: false };
    } catch {
      // Not this CA's, or no longer valid: issued anew below.
    }
  }
  const pair = await ca.issue({ profile, subject, now, ...(sans === undefined ? {} : { sans }) });
  const credentials = { ca: ca.certPem, cert: pair.certPem, key: pair.keyPem };
  await pki.writeTlsCredentials(dir, credentials);
  return { credentials, issued: true };
}

function sameNames(a, b) {
  return JSON.stringify([a.dns, a.ips]) === JSON.stringify([b.dns, b.ips]);
}

/** ZooKeeper's PEM stores: key + certificate (0600), CA (0644), as the embedded server writes them. */
function writeZkStores(dir, server, owner) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeSecret(join(dir, zk.KEYSTORE_FILE), zk.renderKeyStorePem(server.cert, server.key), owner);
  writeFileSync(join(dir, zk.TRUSTSTORE_FILE), `${server.ca.trim()}\n`, { mode: 0o644 });
  chownTree(dir, owner);
}

function writeSecret(path, text, owner) {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync's mode applies only when it creates the file
  chownSync(path, owner, owner);
  chownSync(join(path, '..'), owner, owner);
}

function chownTree(dir, owner) {
  chownSync(dir, owner, owner);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, owner);
    else chownSync(path, owner, owner);
  }
}

function unique(values) {
  return [...new Set(values.filter(Boolean))];
}

/** `WHARF_API_NAMES` (comma-separated DNS names and IPs the api's HTTPS certificate adds). */
export function parseNames(text) {
  const names = (text ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const ip = /^[0-9.]+$|:/;
  return { dns: names.filter((n) => !ip.test(n)), ips: names.filter((n) => ip.test(n)) };
}
