/**
 * `wharf pki rotate --members`: re-issues the certificate of every ZooKeeper member of a TLS
 * ensemble (`wharf up --directors N --secure`) without downtime, as a rolling restart. ZooKeeper
 * 3.8.0 (Debian's) reads its client port's key store once — `client.certReload` came in 3.8.1 —
 * so each member must restart to serve a new certificate. One member at a time, followers first
 * and the leader last (one leader election, not N): its director host's CA copy re-issues the
 * certificate (same subject and SANs, new key), the files are replaced atomically, and the
 * member's director restarts its server on seeing them (services/director member-certificate.ts).
 * The next member is touched only once this one serves the new certificate and every member
 * serves again, so a majority serves throughout.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { WharfError } from '@wharf/model';
import { readPlatformFile } from '@wharf/platform';
import {
  CA_KEY_FILE,
  CA_PASSPHRASE_ENV,
  type CertificateAuthority,
  inspectCertificate,
  loadCa,
  readTlsCredentials,
  writeTlsCredentials,
} from '@wharf/pki';
import {
  type EnsembleServer,
  type ZkTlsOptions,
  memberMode,
  readEnsembleConfig,
  servingMembers,
} from '@wharf/zk';
import { type CliContext } from '../context';

/** How long one member may take to restart and serve its new certificate (JVM start, sync). */
export const MEMBER_ROTATION_TIMEOUT_MS = 120_000;
/** Between two checks of the restarting member. */
const ROTATION_POLL_MS = 250;
/** One TLS handshake to read the served certificate. */
const HANDSHAKE_TIMEOUT_MS = 5_000;

/** One member's rotation. */
export interface MemberRotation {
  readonly host: string;
  readonly member: number;
  readonly oldSerial: string;
  readonly newSerial: string;
  readonly notAfter: string;
  readonly seconds: number;
}

interface MemberTarget {
  readonly host: string;
  readonly dir: string;
  readonly server: EnsembleServer;
}

/** Rotates every member certificate of the installation at `home`, one member at a time. */
export async function rotateMemberCertificates(home: string, ctx: CliContext): Promise<MemberRotation[]> {
  const record = await readPlatformFile(home);
  if (record?.zookeeper.tls !== true) {
    const message = `no TLS ensemble under ${home} (wharf up --directors N --secure)`;
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--members', message }] });
  }
  const hosts = record.services.filter((s) => s.service === 'director').map((s) => s.host!);
  const tls = await firstCredentials(hosts.map((h) => join(home, 'hosts', h, 'tls', 'director')));
  const ca = await firstCa(
    hosts.map((h) => join(home, 'hosts', h, 'ca')),
    ctx,
  );
  const config = await readEnsembleConfig(record.zookeeper.connect_string, tls);
  const targets = await orderedTargets(home, hosts, config.servers, tls);
  const done: MemberRotation[] = [];
  for (const target of targets) done.push(await rotateOne(target, config.servers, ca, tls));
  return done;
}

/** The members with a certificate directory on this machine: followers first, the leader last. */
async function orderedTargets(
  home: string,
  hosts: readonly string[],
  servers: readonly EnsembleServer[],
  tls: ZkTlsOptions,
): Promise<MemberTarget[]> {
  const targets: (MemberTarget & { leader: boolean })[] = [];
  for (const host of hosts) {
    const dir = join(home, 'hosts', host, 'zookeeper-tls');
    if (!existsSync(dir)) continue;
    const served = await servedCertificate(servers, dir);
    if (served === undefined) continue; // removed, or not serving: nothing to rotate there
    targets.push({ host, dir, server: served, leader: (await memberMode(served, tls)) === 'leader' });
  }
  return targets.sort((a, b) => Number(a.leader) - Number(b.leader));
}

/** The member whose address the certificate in `dir` names. */
async function servedCertificate(
  servers: readonly EnsembleServer[],
  dir: string,
): Promise<EnsembleServer | undefined> {
  const { cert } = await readTlsCredentials(dir);
  const ips = inspectCertificate(cert).sans.ips;
  return servers.find((s) => ips.includes(s.host));
}

async function rotateOne(
  target: MemberTarget,
  servers: readonly EnsembleServer[],
  ca: CertificateAuthority,
  tls: ZkTlsOptions,
): Promise<MemberRotation> {
  const startedAt = Date.now();
  const current = await readTlsCredentials(target.dir);
  const oldSerial = inspectCertificate(current.cert).serialHex;
  const issued = await ca.reissue(current.cert);
  const newSerial = issued.info.serialHex;
  // writeTlsCredentials replaces each file atomically, the certificate last: the director acts on it.
  await writeTlsCredentials(target.dir, { ca: ca.certPem, cert: issued.certPem, key: issued.keyPem });
  const deadline = startedAt + MEMBER_ROTATION_TIMEOUT_MS;
  for (;;) {
    const serial = await servedSerial(target.server, tls);
    if (serial === newSerial && (await servingMembers(servers, tls)).size === servers.length) break;
    if (Date.now() >= deadline) {
      throw new WharfError(
        'WHARF_UNAVAILABLE',
        `member ${target.server.id} did not come back with its new certificate`,
        {
          details: [
            {
              path: target.host,
              message: `serving ${serial ?? 'nothing'}, expected ${newSerial}; later members left as they were`,
            },
          ],
        },
      );
    }
    await new Promise((r) => setTimeout(r, ROTATION_POLL_MS));
  }
  return {
    host: target.host,
    member: target.server.id,
    oldSerial,
    newSerial,
    notAfter: issued.info.notAfter.toISOString(),
    seconds: (Date.now() - startedAt) / 1000,
  };
}

/** Serial (lowercase hex) of the certificate a member serves on its client port; null if none. */
export function servedSerial(
  server: Pick<EnsembleServer, 'host' | 'clientPort'>,
  tls: ZkTlsOptions,
): Promise<string | null> {
  return new Promise((done) => {
    const socket = connect({
      host: server.host,
      port: server.clientPort,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      servername: server.host.match(/^[\d.]+$/) ? undefined : server.host,
      timeout: HANDSHAKE_TIMEOUT_MS,
    });
    const finish = (serial: string | null): void => {
      socket.destroy();
      done(serial);
    };
    socket.once('secureConnect', () =>
      finish(socket.getPeerCertificate().serialNumber?.toLowerCase() ?? null),
    );
    socket.once('error', () => finish(null));
    socket.once('timeout', () => finish(null));
  });
}

async function firstCredentials(dirs: readonly string[]): Promise<ZkTlsOptions> {
  for (const dir of dirs) {
    const creds = await readTlsCredentials(dir).catch(() => undefined);
    if (creds !== undefined) return creds;
  }
  throw new WharfError('WHARF_VALIDATION', 'no director certificate found to reach the ensemble', {
    details: dirs.map((d) => ({ path: d, message: 'missing' })),
  });
}

async function firstCa(dirs: readonly string[], ctx: CliContext): Promise<CertificateAuthority> {
  const dir = dirs.find((d) => existsSync(join(d, CA_KEY_FILE)));
  if (dir === undefined) {
    throw new WharfError(
      'WHARF_VALIDATION',
      'no director CA on this machine to re-issue member certificates',
      {
        details: dirs.map((d) => ({ path: d, message: 'no CA key' })),
      },
    );
  }
  const passphrase = ctx.env[CA_PASSPHRASE_ENV] || undefined;
  return loadCa(resolve(dir), passphrase === undefined ? {} : { passphrase });
}
