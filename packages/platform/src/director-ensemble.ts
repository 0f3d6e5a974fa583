/**
 * ZooKeeper for `wharf up` (one director, or three): the supervisor starts no ZooKeeper itself but runs each
 * director host's `wharf-director`, which starts its ZooKeeper ensemble member before its own
 * session (services/director `ZooKeeperMember`) and owns that server process from then on.
 * The directors run before the runners, which need ZooKeeper to register; the runners are told
 * to leave them alone (WHARF_HOST_SERVICES). A first start is sequential — director 1 bootstraps
 * a quorum of one, each next one joins with a reconfiguration — and a later one parallel, since
 * no member serves before a majority of the recorded ensemble is back; directors added since
 * (one grown to three) then join one by one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { CA_CERT_FILE, CA_KEY_FILE } from '@wharf/pki';
import { type Clock, SupervisedChild, isPortFree, launchProcess } from '@wharf/supervise';
import { type ZkTlsOptions, ensembleConnectString, fourLetterWord, readEnsembleConfig } from '@wharf/zk';
import { DIRECTOR_COMMAND_MATCH, type DirectorLaunch } from './director-plan';
import { appendLogNote } from './log-note';
import { type ProcessRecord } from './platform-file';
import { startTimeOf } from './zookeeper-keeper';

/**
 * Between two readiness checks of a starting member: a `srvr` on loopback costs a connection,
 * and every runner waits for the member, so poll often.
 */
export const MEMBER_POLL_MS = 100;
/** One `srvr` probe: a local server answers in milliseconds. */
const SRVR_TIMEOUT_MS = 1000;

/** Options of a {@link DirectorEnsemble}. */
export interface DirectorEnsembleOptions {
  readonly launches: readonly DirectorLaunch[];
  /** The installation home: the shared super password lives in `<home>/credentials/zk-super`. */
  readonly home: string;
  /** The director's `dist/main.js`. */
  readonly entry: string;
  readonly execPath: string;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Called with each director's platform.json record after each (re)start. */
  readonly onProcess: (record: ProcessRecord) => void;
  /** Secure mode: the certificate the readiness checks connect with (the members serve TLS only). */
  readonly probeTls?: () => Promise<ZkTlsOptions>;
}

/** Runs the directors that own the ZooKeeper ensemble. */
export class DirectorEnsemble {
  private readonly children = new Map<string, SupervisedChild>();
  private tls: ZkTlsOptions | undefined;

  constructor(private readonly options: DirectorEnsembleOptions) {}

  /** The directors' ids (their platform.json records are the supervisor's, not a runner's). */
  get ids(): ReadonlySet<string> {
    return new Set(this.options.launches.map((l) => l.id));
  }

  /** How many directors were removed from the ensemble (`wharf director remove`). */
  get removed(): number {
    return this.options.launches.length - activeLaunches(this.options.launches).length;
  }

  /** Every member's client address (a removed director's member is no longer one). */
  get connectString(): string {
    return ensembleConnectString(activeLaunches(this.options.launches).map((l) => l.member));
  }

  /** Starts the directors and resolves with the connect string once every member serves. */
  async start(deadline: number): Promise<string> {
    const { launches, logger } = this.options;
    await checkMemberPortsFree(launches);
    await this.shareSuperPassword();
    this.tls = await this.options.probeTls?.();
    // Members that ran before come back together (none serves before a majority of its recorded
    // ensemble is up); new ones then join one at a time, director 1 first on a first start.
    // A director taken out by `wharf director remove` still runs (it idles, serving nothing):
    // nobody waits for its member, which never starts again.
    const active = activeLaunches(launches);
    for (const launch of launches.filter((l) => !active.includes(l))) this.spawn(launch);
    const ran = active.filter((l) => existsSync(join(l.dataDir, 'myid')));
    const fresh = active.filter((l) => !ran.includes(l));
    logger.info('starting the directors and their zookeeper ensemble', {
      members: launches.map((l) => `${l.member.id} ${l.member.host}:${l.member.clientPort}`),
      bootstrap: ran.length === 0,
    });
    for (const launch of ran) await this.shareCa(launch, undefined);
    for (const launch of ran) this.spawn(launch);
    if (ran.length > 0) await this.waitMember(ran, deadline);
    for (const launch of fresh) {
      await this.shareCa(launch, deadline);
      this.spawn(launch);
      await this.waitMember([...ran, ...fresh.slice(0, fresh.indexOf(launch) + 1)], deadline);
    }
    return this.connectString;
  }

  /** Stops every director (each stops its ZooKeeper server). Idempotent. */
  async close(graceMs: number): Promise<void> {
    await Promise.all([...this.children.values()].map((child) => child.stop(graceMs)));
  }

  /**
   * The reconfiguration is super-user only and every director must know the same password:
   * one per installation, copied to each director's home (0600) where its main.ts reads it.
   */
  private async shareSuperPassword(): Promise<void> {
    const file = join(this.options.home, 'credentials', 'zk-super');
    await mkdir(join(this.options.home, 'credentials'), { recursive: true, mode: 0o700 });
    let password = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (password === '') {
      password = randomBytes(32).toString('base64url');
      await writeFile(file, `${password}\n`, { mode: 0o600 });
    }
    for (const launch of this.options.launches) {
      await mkdir(join(launch.home, 'director'), { recursive: true, mode: 0o700 });
      await writeFile(join(launch.home, 'director', 'zk-super'), `${password}\n`, { mode: 0o600 });
    }
  }

  /**
   * The directors are one CA: director 1 creates it (right after its member serves) and the others
   * get a copy of its key and certificate in their own home — the key never leaves director hosts —
   * unless they hold one already. A later director waits for director 1's CA rather than make its own.
   */
  private async shareCa(launch: DirectorLaunch, deadline: number | undefined): Promise<void> {
    const from = join(this.options.launches[0]!.home, 'ca');
    const to = join(launch.home, 'ca');
    if (from === to || existsSync(join(to, CA_KEY_FILE))) return;
    const { clock } = this.options;
    while (!existsSync(join(from, CA_KEY_FILE)) || !existsSync(join(from, CA_CERT_FILE))) {
      if (deadline === undefined) return; // restarting together: nobody to wait for
      if (clock.now() >= deadline)
        throw new WharfError('WHARF_UNAVAILABLE', `${this.options.launches[0]!.id} made no CA`, {
          details: [{ path: from, message: 'no CA key and certificate' }],
        });
      await clock.sleep(MEMBER_POLL_MS);
    }
    await mkdir(to, { recursive: true, mode: 0o700 });
    for (const file of [CA_KEY_FILE, CA_CERT_FILE]) await copyFile(join(from, file), join(to, file));
    await chmod(join(to, CA_KEY_FILE), 0o600);
  }

  /** Waits until the last of `members` serves and is listed in the ensemble the others agree on. */
  private async waitMember(members: readonly DirectorLaunch[], deadline: number): Promise<void> {
    const { clock } = this.options;
    const last = members.at(-1)!;
    for (;;) {
      if (await this.listed(members)) return;
      if (clock.now() >= deadline) {
        throw new WharfError('WHARF_UNAVAILABLE', `zookeeper member ${last.member.id} did not start`, {
          details: [{ path: last.id, message: `see ${last.logFile} and ${last.dataDir}/zookeeper.log` }],
        });
      }
      await clock.sleep(MEMBER_POLL_MS);
    }
  }

  private async listed(members: readonly DirectorLaunch[]): Promise<boolean> {
    const last = members.at(-1)!.member;
    const srvr = await fourLetterWord(last.host, last.clientPort, 'srvr', SRVR_TIMEOUT_MS, this.tls);
    if (!(srvr ?? '').includes('Mode:')) return false;
    // A lone member that serves is its whole ensemble: no session needed to read the membership.
    if (members.length === 1 && activeLaunches(this.options.launches).length === 1) return true;
    const connectString = ensembleConnectString(members.map((m) => m.member));
    const config = await readEnsembleConfig(connectString, this.tls).catch(() => null);
    return members.every((m) => config?.servers.some((s) => s.id === m.member.id) === true);
  }

  private spawn(launch: DirectorLaunch): void {
    const { clock, logger } = this.options;
    const child: SupervisedChild = new SupervisedChild({
      name: launch.id,
      logger,
      clock,
      launch: async () => {
        appendLogNote(launch.logFile, clock, 'process starting', { restarts: child.restarts });
        const launched = launchProcess({
          command: this.options.execPath,
          args: [this.options.entry],
          env: { ...this.options.baseEnv, ...launch.env },
          cwd: this.options.home,
          logFile: launch.logFile,
        });
        const identity = launched.identity;
        if (identity !== undefined) this.options.onProcess(this.record(launch, identity.pid, child.restarts));
        return launched;
      },
    });
    this.children.set(launch.id, child);
    child.start();
  }

  private record(launch: DirectorLaunch, pid: number, restarts: number): ProcessRecord {
    const port = Number(launch.env.WHARF_DIRECTOR_PORT);
    return {
      id: launch.id,
      service: 'director',
      pid,
      ...startTimeOf(pid),
      host: launch.host.id,
      ...(launch.host.address === '127.0.0.1' ? {} : { address: launch.host.address }),
      port,
      log: launch.logFile,
      zone: launch.host.zone,
      command_match: DIRECTOR_COMMAND_MATCH,
      restarts,
    };
  }
}

/**
 * Fails fast, naming each busy address and port, instead of a member that never starts: none of
 * the members runs yet, so each one's client, quorum and election ports must be free on its address.
 */
async function checkMemberPortsFree(launches: readonly DirectorLaunch[]): Promise<void> {
  const busy: { path: string; message: string }[] = [];
  for (const { id, member } of launches) {
    for (const port of [member.clientPort, member.quorumPort, member.electionPort]) {
      if (!(await isPortFree(port, member.host)))
        busy.push({ path: id, message: `${member.host}:${port} is in use` });
    }
  }
  if (busy.length > 0) {
    throw new WharfError(
      'WHARF_CONFLICT',
      `zookeeper member ports already in use: ${busy.map((b) => b.message).join(', ')} (see --zk-port, --zk-peer-ports)`,
      { details: busy },
    );
  }
}

/**
 * The marker a director leaves in its member's data directory once `wharf director remove` took
 * it out (`services/director/src/member-removal.ts`, REMOVED_MARKER).
 */
const REMOVED_MARKER = 'wharf-removed';

/** The launches whose member has not been removed from the ensemble. */
function activeLaunches(launches: readonly DirectorLaunch[]): DirectorLaunch[] {
  return launches.filter((l) => !existsSync(join(l.dataDir, REMOVED_MARKER)));
}
