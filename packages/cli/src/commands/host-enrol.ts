/**
 * `wharf host enrol`: gets this host's service certificates from a director before it can talk
 * to a ZooKeeper that requires them. The director's CA is pinned by its SHA-256 fingerprint (as
 * `kubeadm join --discovery-token-ca-cert-hash`); keys are generated here and never leave the
 * host; `<dir>/<service>/{cert,key,ca}.pem` are written for the runner and each service it
 * starts. `wharf pki rotate` renews them through the director with the current certificates;
 * with `--members`, the ZooKeeper members' certificates of a TLS ensemble too (director-rotate.ts).
 */
import { resolve } from 'node:path';
import { WharfError, assertId } from '@wharf/model';
import { enrolHost, renewCertificates, type EnrolledService } from '@wharf/pki';
import { type CliContext } from '../context';
import { defaultHostId, parseRoles } from './host';
import { DEFAULT_DIRECTOR_URL } from './host-tls';
import { type MemberRotation, rotateMemberCertificates } from './director-rotate';

export { DEFAULT_DIRECTOR_URL };

/** `host enrol` options. */
export interface HostEnrolOptions {
  director?: string;
  caFingerprint: string;
  /** The roles token; else `WHARF_ROLES_TOKEN` (keeps it off the command line `ps` shows). */
  token?: string;
  hostId?: string;
  roles: string;
  /** Default `<WHARF_HOME>/tls`. */
  dir?: string;
  home?: string;
  json?: boolean;
}

/** Runs `host enrol`; the director's refusals surface as their coded errors. */
export async function enrolThisHost(options: HostEnrolOptions, ctx: CliContext): Promise<number> {
  const roles = parseRoles(options.roles);
  if (roles.length === 0) {
    const message = 'ask for at least one role';
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--roles', message }] });
  }
  const token = options.token ?? ctx.env.WHARF_ROLES_TOKEN;
  if (token === undefined || token === '') {
    const message = 'give --token or set WHARF_ROLES_TOKEN';
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--token', message }] });
  }
  const hostId = assertId('host', options.hostId ?? defaultHostId());
  const dir = tlsDir(options, ctx);
  const result = await enrolHost({
    director: options.director ?? DEFAULT_DIRECTOR_URL,
    caFingerprint: options.caFingerprint,
    token,
    hostId,
    roles,
    dir,
  });
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  printServices(result.services, ctx);
  ctx.stdout.write(`host ${hostId} enrolled (CA ${result.caFingerprint})\n`);
  return 0;
}

/** `pki rotate` options. */
export interface PkiRotateOptions {
  director?: string;
  dir?: string;
  home?: string;
  json?: boolean;
  /** The ZooKeeper members' certificates instead (a rolling restart, one member at a time). */
  members?: boolean;
}

/** Runs `pki rotate`: every service certificate renews itself over mutual TLS. */
export async function rotateThisHost(options: PkiRotateOptions, ctx: CliContext): Promise<number> {
  if (options.members === true) return rotateMembers(options, ctx);
  const renewed = await renewCertificates({
    director: options.director ?? DEFAULT_DIRECTOR_URL,
    dir: tlsDir(options, ctx),
  });
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ services: renewed }, null, 2)}\n`);
    return 0;
  }
  printServices(renewed, ctx);
  ctx.stdout.write(`${renewed.length} certificate(s) renewed\n`);
  return 0;
}

async function rotateMembers(options: PkiRotateOptions, ctx: CliContext): Promise<number> {
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? '.wharf');
  const rotated: MemberRotation[] = await rotateMemberCertificates(home, ctx);
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify({ members: rotated }, null, 2)}\n`);
    return 0;
  }
  for (const r of rotated) {
    ctx.stdout.write(
      `zookeeper member ${r.member} (${r.host}): serial ${r.oldSerial} → ${r.newSerial} until ${r.notAfter}, ` +
        `serving again in ${r.seconds.toFixed(1)} s\n`,
    );
  }
  ctx.stdout.write(`${rotated.length} member certificate(s) renewed, one member at a time\n`);
  return 0;
}

/** `--dir`, else `<--home | WHARF_HOME | .wharf>/tls`. */
function tlsDir(options: { dir?: string; home?: string }, ctx: CliContext): string {
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? '.wharf');
  return resolve(ctx.cwd, options.dir ?? resolve(home, 'tls'));
}

function printServices(services: readonly EnrolledService[], ctx: CliContext): void {
  for (const s of services) {
    ctx.stdout.write(`${s.service}: ${s.x509Id} until ${s.notAfter.toISOString()} in ${s.dir}\n`);
  }
}
