/**
 * `wharf director add <host-id>`: gives a registered host the director role on a running
 * installation, the way an ECE operator adds a director host or a ZooKeeper operator runs
 * `reconfig -add`. Its director starts a ZooKeeper server with the current membership plus
 * itself, syncs from the leader as a learner, and is added by a reconfiguration conditioned on
 * the configuration version it read (services/director member-join.ts) — one member at a time,
 * so a quorum of one grows to two, then three.
 *
 * Refused before anything changes: an unknown host, a host already in the ensemble, an ensemble
 * without a serving majority (`decideAddition` in @wharf/zk). A host whose director was removed
 * (`wharf director remove`) is added back as a new member: its old member data — snapshots,
 * log, markers that keep it out — is cleared first (`clearStaleMemberData`), so it never rejoins
 * with a history the ensemble has moved past. Its director is the one `wharf up --directors 3`
 * runs (restarted here to join), or for a host that never was one, a process started here —
 * in secure mode with a member and a client certificate issued from the installation's CA.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { WharfError, assertId } from '@wharf/model';
import {
  type PlatformRecord,
  type ProcessRecord,
  isRecordedRunning,
  issueGrownDirectorTls,
  memberDataDir,
  planGrownDirector,
  readPlatformFile,
  resolveDirectorEntry,
  shareDirectorSecrets,
} from '@wharf/platform';
import { CA_PASSPHRASE_ENV } from '@wharf/pki';
import { stopProcessGroup } from '@wharf/supervise';
import {
  type EnsembleConfig,
  type EnsembleServer,
  type ZkTlsOptions,
  clearStaleMemberData,
  decideAddition,
  ensembleConnectString,
  memberMode,
  nextMemberId,
  readEnsembleConfig,
  servingMembers,
} from '@wharf/zk';
import { DEFAULT_HOME } from '../config/up-config';
import { type CliContext } from '../context';
import { type PlatformZkOptions, resolveZk } from './platform-backup';
import {
  directorTls,
  readHostRegistration,
  readSuperPassword,
  updateDirectorRole,
  zkRunner,
} from './director-common';

/**
 * How long `add` waits for the new member to serve as a voter: a director start, a server JVM, a
 * sync and a reconfiguration JVM took 4–7 s with a load average of 12–19 on 2 cores; ten times that.
 */
export const ADD_WITHIN_MS = 75_000;
/** Between two looks at the configuration while the member joins. */
const ADD_POLL_MS = 500;
/** No other director recorded to copy the enrolment port from: any free one (it is published in `/director/<id>`). */
const FALLBACK_DIRECTOR_PORT = 0;

/** `director add` options. */
export interface DirectorAddOptions extends PlatformZkOptions {
  /** A director's certificate directory (ca.pem, cert.pem, key.pem): TLS ensembles only. */
  tlsDir?: string;
}

/** What `director add` did. */
export interface DirectorAddition {
  readonly host: string;
  readonly member: number;
  readonly voters: number[];
  readonly version: string | null;
  /** True when a removed director's old member data was cleared first. */
  readonly cleared: boolean;
  /** `restarted`: `wharf up`'s director for the host; `started`: a process started by `add`. */
  readonly director: 'restarted' | 'started';
  readonly seconds: number;
}

/** Runs `director add <host-id>`. */
export async function addDirector(
  hostId: string,
  options: DirectorAddOptions,
  ctx: CliContext,
): Promise<number> {
  const startedAt = Date.now();
  const host = assertId('host', hostId);
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? DEFAULT_HOME);
  const record = await readPlatformFile(home);
  if (record === undefined) {
    throw new WharfError('WHARF_NOT_FOUND', `no platform recorded under ${home}`, {
      details: [{ path: '--home', message: 'director add runs where wharf up runs the hosts' }],
    });
  }
  const { connectString, chroot } = await resolveZk(options, ctx);
  const tls = await directorTls(options, record, host, ctx);
  const { address, zone } = await readHostRegistration(zkRunner(connectString, chroot, tls), host);
  const config = await readEnsembleConfig(connectString, tls);
  const candidate = candidateFor(config, address, host);
  const plan = decideAddition({ config, candidate, serving: await servingMembers(config.servers, tls) });
  await readSuperPassword(home, ctx); // fail before clearing or starting anything
  const verdict = await clearStaleMemberData(memberDataDir(record.home, host), false);
  const supervised = record.services.find((s) => s.id === `director-${host}` && isRecordedRunning(s));
  if (supervised !== undefined) {
    // `wharf up --directors 3` runs it: once its data is cleared, a restart makes it join.
    process.kill(supervised.pid, 'SIGTERM');
    await updateDirectorRole(zkRunner(plan.connectString, chroot, tls), host, 'add');
  } else {
    await startDirector(
      record,
      { id: host, address, zone },
      candidate,
      config,
      plan.connectString,
      chroot,
      tls !== undefined,
      ctx,
    );
  }
  const after = await untilVoter(ensembleConnectString([...config.servers, candidate]), candidate, tls);
  const addition: DirectorAddition = {
    host,
    member: candidate.id,
    voters: after.servers.filter((s) => (s.role ?? 'participant') === 'participant').map((s) => s.id),
    version: after.version,
    cleared: verdict === 'stale',
    director: supervised === undefined ? 'started' : 'restarted',
    seconds: (Date.now() - startedAt) / 1000,
  };
  printAddition(addition, options.json === true, ctx);
  return 0;
}

/**
 * The member the host would be: the id and ports a member already at its address has (then
 * `decideAddition` says `already-voter`), else the host's number when free, on the ports of the
 * other members (each host has an address of its own, as `wharf up --directors 3` plans them).
 */
function candidateFor(config: EnsembleConfig, address: string, host: string): EnsembleServer {
  const present = config.servers.find((s) => s.host === address);
  if (present !== undefined) return present;
  const template = config.servers[0];
  if (template === undefined) {
    throw new WharfError('WHARF_UNAVAILABLE', 'the ensemble lists no member', {
      details: [{ path: 'zookeeper', message: 'empty /zookeeper/config' }],
    });
  }
  const number = /^host-(\d+)$/.exec(host)?.[1];
  return {
    id: nextMemberId(config, number === undefined ? undefined : Number(number)),
    host: address,
    clientPort: template.clientPort,
    quorumPort: template.quorumPort,
    electionPort: template.electionPort,
    role: 'participant',
  };
}

/** Starts the host's director, detached, as `wharf up` would have (plaintext ensembles). */
async function startDirector(
  record: PlatformRecord,
  host: { id: string; address: string; zone: string },
  member: EnsembleServer,
  config: EnsembleConfig,
  joinAt: string,
  chroot: string,
  secure: boolean,
  ctx: CliContext,
): Promise<void> {
  const first = record.services.find((s) => s.service === 'director' && s.host !== host.id);
  const launch = planGrownDirector({
    home: record.home,
    host,
    member,
    members: config.servers,
    joinAt,
    chroot,
    directorPort: first?.port ?? FALLBACK_DIRECTOR_PORT,
    logLevel: ctx.env.WHARF_LOG_LEVEL ?? 'info',
  });
  const caHome = join(record.home, 'hosts', first?.host ?? 'host-1');
  await shareDirectorSecrets(record.home, launch.home, caHome);
  const passphrase = ctx.env[CA_PASSPHRASE_ENV] || undefined;
  const tlsEnv = secure ? await issueGrownDirectorTls(record.home, host, caHome, passphrase) : {};
  const entry = resolveDirectorEntry(dirname(ctx.cliPath), ctx.env.WHARF_SERVICES_ROOT);
  mkdirSync(dirname(launch.logFile), { recursive: true });
  mkdirSync(join(record.home, 'run'), { recursive: true });
  const runFile = join(record.home, 'run', `${launch.id}.json`);
  await stopEarlierDirector(runFile); // a removed one that `add` started before: it idles
  const fd = openSync(launch.logFile, 'a');
  const child = spawn(ctx.execPath, [entry], {
    env: {
      PATH: ctx.env.PATH ?? '',
      ...launch.env,
      ...tlsEnv,
      ...(passphrase === undefined ? {} : { [CA_PASSPHRASE_ENV]: passphrase }),
    },
    cwd: record.home,
    detached: true,
    shell: false,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  const run: ProcessRecord = {
    id: launch.id,
    service: 'director',
    pid: child.pid!,
    host: host.id,
    log: launch.logFile,
    zone: host.zone,
    command_match: launch.commandMatch,
  };
  writeFileSync(runFile, `${JSON.stringify(run, null, 2)}\n`);
}

/** Grace of a director `add` started earlier: it stops its member (if any) and its session. */
const EARLIER_DIRECTOR_GRACE_MS = 15_000;

async function stopEarlierDirector(runFile: string): Promise<void> {
  const earlier = await readRunRecord(runFile);
  if (earlier === undefined || !isRecordedRunning(earlier)) return;
  await stopProcessGroup(earlier.pid, {
    graceMs: EARLIER_DIRECTOR_GRACE_MS,
    ...(earlier.command_match === undefined ? {} : { commandMatch: earlier.command_match }),
  });
}

async function readRunRecord(file: string): Promise<ProcessRecord | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<ProcessRecord>;
    const valid = value.service === 'director' && Number.isInteger(value.pid) && typeof value.id === 'string';
    return valid ? (value as ProcessRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The directors `director add` started (`<home>/run/director-<host>.json`), for `wharf down`:
 * they are not the supervisor's children, and hold ZooKeeper members, so they stop with the directors.
 */
export async function grownDirectorRecords(home: string): Promise<ProcessRecord[]> {
  const dir = join(home, 'run');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^director-.+\.json$/.test(n));
  const records = await Promise.all(names.map((n) => readRunRecord(join(dir, n))));
  return records.filter((r): r is ProcessRecord => r !== undefined);
}

/** Waits until `member` is a voter that serves; `WHARF_TIMEOUT` after {@link ADD_WITHIN_MS}. */
async function untilVoter(
  connectString: string,
  member: EnsembleServer,
  tls: ZkTlsOptions | undefined,
): Promise<EnsembleConfig> {
  const deadline = Date.now() + ADD_WITHIN_MS;
  for (;;) {
    const config = await readEnsembleConfig(connectString, tls).catch(() => null);
    const listed = config?.servers.some((s) => s.id === member.id && s.host === member.host) === true;
    const mode = listed ? await memberMode(member, tls) : null;
    if (config !== null && (mode === 'leader' || mode === 'follower')) return config;
    if (Date.now() >= deadline) {
      throw new WharfError(
        'WHARF_TIMEOUT',
        `zookeeper member ${member.id} did not join within ${ADD_WITHIN_MS / 1000} s`,
        {
          details: [
            {
              path: 'member',
              message: `listed: ${listed}, mode: ${mode ?? 'not serving'}; see the director's log`,
            },
          ],
        },
      );
    }
    await new Promise((r) => setTimeout(r, ADD_POLL_MS));
  }
}

function printAddition(addition: DirectorAddition, json: boolean, ctx: CliContext): void {
  if (json) {
    ctx.stdout.write(`${JSON.stringify(addition)}\n`);
    return;
  }
  ctx.stdout.write(
    `director ${addition.host} added: zookeeper member ${addition.member} joined the ensemble ` +
      `(voters ${addition.voters.join(', ')}, version ${addition.version ?? '-'}) in ${addition.seconds.toFixed(1)} s\n`,
  );
  if (addition.cleared) ctx.stdout.write(`its old member data (from before its removal) was cleared first\n`);
}
