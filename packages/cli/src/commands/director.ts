/**
 * `wharf director remove <host-id>`: takes a director host out of the installation, as an
 * operator of ECE removes a director host or of ZooKeeper runs `reconfig -remove`. Its ZooKeeper
 * member leaves the ensemble by a reconfiguration that the remaining members commit, on the
 * condition that the configuration is still the one the decision was made on; its host loses the
 * `director` role. A live director sees it within seconds (member.ts in services/director): it
 * stops its server, drops its `/director/<id>` status and registration, and stays down across
 * restarts. A dead one is removed the same way — the serving majority commits without it — and
 * finds out when it comes back. Refused, changing nothing: an unknown host, the last director, a
 * removal the serving members could not commit (`decideRemoval` in @wharf/zk). The way back is
 * `wharf director add` (director-add.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command } from 'commander';
import { WharfError, assertId } from '@wharf/model';
import { readPlatformFile } from '@wharf/platform';
import {
  type EnsembleConfig,
  type ReconfigureTls,
  type ZkTlsOptions,
  decideRemoval,
  memberMode,
  readEnsembleConfig,
  reconfigureEnsemble,
  servingMembers,
} from '@wharf/zk';
import { DEFAULT_HOME } from '../config/up-config';
import { type CliContext } from '../context';
import { act, runner } from '../program';
import { resolveZk, type PlatformZkOptions } from './platform-backup';
import {
  directorTls,
  readHostRegistration,
  readSuperPassword,
  updateDirectorRole,
  zkRunner,
} from './director-common';
import { addDirector, type DirectorAddOptions } from './director-add';

/** How long `remove` waits for the removed member's server to stop answering (a live director's). */
export const REMOVED_SERVER_WAIT_MS = 30_000;
/** Between two probes of the removed member. */
const REMOVED_SERVER_POLL_MS = 250;

/** `director remove` options. */
export interface DirectorRemoveOptions extends PlatformZkOptions {
  /** A director's certificate directory (ca.pem, cert.pem, key.pem): TLS ensembles only. */
  tlsDir?: string;
}

/** What `director remove` did. */
export interface DirectorRemoval {
  readonly host: string;
  readonly member: number;
  readonly members: number[];
  readonly version: string | null;
  /** False when the removed member still answered after {@link REMOVED_SERVER_WAIT_MS}. */
  readonly serverStopped: boolean;
  readonly seconds: number;
}

/** Runs `director remove <host-id>`. */
export async function removeDirector(
  hostId: string,
  options: DirectorRemoveOptions,
  ctx: CliContext,
): Promise<number> {
  const startedAt = Date.now();
  const host = assertId('host', hostId);
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? DEFAULT_HOME);
  const record = await readPlatformFile(home).catch(() => undefined);
  const { connectString, chroot } = await resolveZk(options, ctx);
  const superPassword = await readSuperPassword(home, ctx);
  const tls = await directorTls(options, record, host, ctx);
  const scratch = tls === undefined ? undefined : await mkdtemp(join(tmpdir(), 'wharf-reconfig-'));
  try {
    const registration = await readHostRegistration(zkRunner(connectString, chroot, tls), host);
    const config = await readEnsembleConfig(connectString, tls);
    const member = memberOf(config, registration.address, host);
    const plan = decideRemoval({
      config,
      memberId: member,
      serving: await servingMembers(config.servers, tls),
    });
    const after = await reconfigureEnsemble({
      connectString: plan.connectString,
      remove: [member],
      fromConfig: plan.fromConfig,
      superPassword,
      ...(tls === undefined ? {} : { tls: await reconfigureStores(scratch!, tls) }),
    });
    await updateDirectorRole(zkRunner(plan.connectString, chroot, tls), host, 'remove');
    const serverStopped = await untilStopped(plan.member, tls);
    const removal: DirectorRemoval = {
      host,
      member,
      members: after.servers.map((s) => s.id),
      version: after.version,
      serverStopped,
      seconds: (Date.now() - startedAt) / 1000,
    };
    printRemoval(removal, options.json === true, ctx);
    return 0;
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/** The member of `host`: the one serving on the host's registered address. */
function memberOf(config: EnsembleConfig, address: string, host: string): number {
  const member = config.servers.find((s) => s.host === address);
  if (member === undefined) {
    throw new WharfError('WHARF_NOT_FOUND', `host ${host} runs no member of the ensemble`, {
      details: [{ path: 'host-id', message: `no member at ${address}; members: ${describe(config)}` }],
    });
  }
  return member.id;
}

function describe(config: EnsembleConfig): string {
  return config.servers.map((s) => `${s.id}@${s.host}`).join(', ');
}

/** The Java reconfiguration client reads PEM files: a 0600 key store in a private scratch dir. */
async function reconfigureStores(dir: string, tls: ZkTlsOptions): Promise<ReconfigureTls> {
  const keyStore = join(dir, 'keystore.pem');
  const trustStore = join(dir, 'truststore.pem');
  await writeFile(keyStore, `${String(tls.key).trim()}\n${String(tls.cert).trim()}\n`, { mode: 0o600 });
  await writeFile(trustStore, `${String(tls.ca).trim()}\n`, { mode: 0o600 });
  return { keyStore, trustStore, session: tls };
}

/** Waits until the removed member stops answering `srvr`; false after {@link REMOVED_SERVER_WAIT_MS}. */
async function untilStopped(
  member: { host: string; clientPort: number },
  tls: ZkTlsOptions | undefined,
): Promise<boolean> {
  const deadline = Date.now() + REMOVED_SERVER_WAIT_MS;
  while (Date.now() < deadline) {
    if ((await memberMode(member, tls)) === null) return true;
    await new Promise((r) => setTimeout(r, REMOVED_SERVER_POLL_MS));
  }
  return false;
}

function printRemoval(removal: DirectorRemoval, json: boolean, ctx: CliContext): void {
  if (json) {
    ctx.stdout.write(`${JSON.stringify(removal)}\n`);
    return;
  }
  ctx.stdout.write(
    `director ${removal.host} removed: zookeeper member ${removal.member} left the ensemble ` +
      `(members ${removal.members.join(', ')}, version ${removal.version ?? '-'}) in ${removal.seconds.toFixed(1)} s\n`,
  );
  ctx.stdout.write(
    removal.serverStopped
      ? `its server has stopped; host ${removal.host} no longer has the director role\n`
      : `its server still answers: stop it on ${removal.host} (it will not rejoin)\n`,
  );
}

/** Adds `wharf director remove` to `program`; `setExitCode` receives each exit code. */
export function addDirectorCommands(
  program: Command,
  ctx: CliContext,
  setExitCode: (code: number) => void,
): void {
  const run = runner(setExitCode);
  const director = program
    .command('director')
    .description('manage the director hosts (they run the ZooKeeper ensemble): add, remove');
  const zkOptions = (command: Command): Command =>
    command
      .option('--zk <connect>', 'ZooKeeper connect string (env WHARF_ZK, default: from platform.json)')
      .option('--zk-chroot <path>', 'chroot of the installation (env WHARF_ZK_CHROOT, default /wharf)')
      .option(
        '--tls-dir <path>',
        "TLS ensembles: a director's certificate directory (ca.pem, cert.pem, key.pem)",
      );
  zkOptions(
    director
      .command('add <host-id>')
      .description(
        'give a registered host the director role on a running installation: its director starts a ' +
          'ZooKeeper member that syncs from the leader and joins the ensemble by a reconfiguration ' +
          'conditioned on the version it read (one at a time: 1 -> 2 -> 3). A director removed before is ' +
          'added back as a new member, its old member data cleared first. Refused: an unknown host, one ' +
          'in the ensemble already, an ensemble without a serving majority',
      ),
  ).action(act(run, (hostId: string, options: DirectorAddOptions) => addDirector(hostId, options, ctx)));
  zkOptions(
    director
      .command('remove <host-id>')
      .description(
        "take a director host out: its ZooKeeper member leaves the ensemble (the others' quorum " +
          'commits it), its server stops, its director role goes; refused for the last director or ' +
          'when the serving members could not commit it',
      ),
  ).action(
    act(run, (hostId: string, options: DirectorRemoveOptions) => removeDirector(hostId, options, ctx)),
  );
}
