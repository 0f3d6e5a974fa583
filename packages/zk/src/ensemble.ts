import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WharfError } from '@wharf/model';
import { ZkSession } from './session';
import { DEFAULT_JAVA_DIR, SERVER_JARS } from './zk-config';
import { WHARF_RECONFIG_CLASS, ensureX509Provider } from './x509-provider';

/*
 * A ZooKeeper ensemble that grows and shrinks while it serves (ZooKeeper ≥ 3.5 dynamic
 * reconfiguration), as ECE's directors keep theirs: the first director runs a quorum of one
 * (`standaloneEnabled=false`, so it is already an ensemble that can grow), a new director starts
 * its server with the current membership plus itself — it syncs from the leader as a non-voting
 * learner — and then asks the ensemble to `reconfig -add` it; a leaving director is removed first
 * and stopped after. The membership lives in ZooKeeper itself (`/zookeeper/config`, readable by
 * every client), so nothing else has to be kept in step with it.
 */

/** One server of the ensemble, as in a `server.N=` line of the dynamic configuration. */
export interface EnsembleServer {
  /** `myid`: 1–255 for Wharf (ZooKeeper allows any positive long). */
  readonly id: number;
  readonly host: string;
  /** Followers connect to the leader here. */
  readonly quorumPort: number;
  /** Leader election. */
  readonly electionPort: number;
  /** Clients (the secure client port of a TLS ensemble). */
  readonly clientPort: number;
  readonly role?: 'participant' | 'observer';
}

/** The parsed `/zookeeper/config`. */
export interface EnsembleConfig {
  readonly servers: EnsembleServer[];
  /** `version=` (hex zxid of the last reconfig), null in a static file. */
  readonly version: string | null;
}

/** The super user of digest auth, allowed to reconfigure. */
export const SUPER_USER = 'super';

/** The JVM property holding the super user's digest. */
export const SUPER_DIGEST_PROPERTY = 'zookeeper.DigestAuthenticationProvider.superDigest';

/** Reading `/zookeeper/config`: one short session. */
const CONFIG_READ_TIMEOUT_MS = 10_000;

/** A reconfig waits for the new quorum to commit; a cold JVM adds 1–3 s on a busy box. */
export const RECONFIG_TIMEOUT_MS = 60_000;

const SERVER_LINE =
  /^server\.(\d+)=([^:;\s]+):(\d+):(\d+)(?::(participant|observer))?;(?:([^:;\s]+):)?(\d+)$/;

const execFileAsync = promisify(execFile);

/** `server.N=host:quorum:election:role;host:client`, ZooKeeper's dynamic config line. */
export function serverSpec(server: EnsembleServer): string {
  const role = server.role ?? 'participant';
  return (
    `server.${server.id}=${server.host}:${server.quorumPort}:${server.electionPort}:${role};` +
    `${server.host}:${server.clientPort}`
  );
}

/** Renders a dynamic configuration file (one `server.N` line per member). */
export function renderDynamicConfig(servers: readonly EnsembleServer[]): string {
  return `${[...servers]
    .sort((a, b) => a.id - b.id)
    .map(serverSpec)
    .join('\n')}\n`;
}

/** Parses `/zookeeper/config` (or a dynamic config file); unknown lines are ignored. */
export function parseEnsembleConfig(text: string): EnsembleConfig {
  const servers: EnsembleServer[] = [];
  let version: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('version=')) version = line.slice('version='.length);
    const m = SERVER_LINE.exec(line);
    if (m === null) continue;
    servers.push({
      id: Number(m[1]),
      host: m[2]!,
      quorumPort: Number(m[3]),
      electionPort: Number(m[4]),
      role: (m[5] as EnsembleServer['role']) ?? 'participant',
      clientPort: Number(m[7]),
    });
  }
  return { servers: servers.sort((a, b) => a.id - b.id), version };
}

/** `host:port,…` of every member's client port. */
export function ensembleConnectString(servers: readonly EnsembleServer[]): string {
  return servers.map((s) => `${s.host}:${s.clientPort}`).join(',');
}

/**
 * `super:<base64 sha1("super:<password>")>`: the server side of digest auth's super user. Only
 * the digest reaches the server's argv; the password stays with the directors.
 */
export function superDigest(password: string): string {
  const digest = createHash('sha1').update(`${SUPER_USER}:${password}`).digest('base64');
  return `${SUPER_USER}:${digest}`;
}

/** Options of {@link reconfigureEnsemble}. */
export interface ReconfigureOptions {
  /** Any serving member (or several, comma-separated). */
  readonly connectString: string;
  readonly add?: readonly EnsembleServer[];
  readonly remove?: readonly number[];
  /** The super user's password (see {@link superDigest}). */
  readonly superPassword: string;
  readonly javaDir?: string;
  readonly javaPath?: string;
  readonly javacPath?: string;
  readonly timeoutMs?: number;
}

/**
 * Adds and/or removes members in one incremental reconfiguration and resolves with the new
 * configuration. ZooKeeper commits it through the current quorum, so it fails — changing
 * nothing — when that quorum is not available, or when the change would leave no quorum.
 */
export async function reconfigureEnsemble(options: ReconfigureOptions): Promise<EnsembleConfig> {
  const add = options.add ?? [];
  const remove = options.remove ?? [];
  if (add.length === 0 && remove.length === 0) {
    throw new WharfError('WHARF_BAD_REQUEST', 'a reconfiguration needs members to add or remove');
  }
  const javaDir = options.javaDir ?? DEFAULT_JAVA_DIR;
  const classes = await ensureX509Provider({ javaDir, javacPath: options.javacPath });
  const classpath = [...SERVER_JARS.map((jar) => join(javaDir, jar)), classes].join(':');
  const args = [
    '-Xmx64m',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j.configuration=file:/dev/null`,
    '-cp',
    classpath,
    WHARF_RECONFIG_CLASS,
    options.connectString,
    add.length === 0 ? '-' : add.map(serverSpec).join(','),
    remove.length === 0 ? '-' : remove.join(','),
  ];
  try {
    const { stdout } = await execFileAsync(options.javaPath ?? 'java', args, {
      timeout: options.timeoutMs ?? RECONFIG_TIMEOUT_MS,
      env: { PATH: process.env.PATH ?? '', WHARF_ZK_SUPER_AUTH: `${SUPER_USER}:${options.superPassword}` },
    });
    return parseEnsembleConfig(stdout);
  } catch (err) {
    // Removing the leader ends its sessions, ours included, often after the change committed:
    // the configuration, not the lost reply, says whether it happened.
    const after = await readEnsembleConfig(options.connectString).catch(() => null);
    if (after !== null && applied(after, add, remove)) return after;
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new WharfError('WHARF_ZK_ERROR', 'zookeeper reconfiguration failed', {
      details: {
        connectString: options.connectString,
        add: add.map((s) => s.id),
        remove: [...remove],
        error: stderr.trim().split('\n').slice(-3).join(' '),
      },
      cause: err,
    });
  }
}

/** True when `config` has every added member and none of the removed ones. */
function applied(config: EnsembleConfig, add: readonly EnsembleServer[], remove: readonly number[]): boolean {
  const ids = new Set(config.servers.map((s) => s.id));
  return add.every((s) => ids.has(s.id)) && remove.every((id) => !ids.has(id));
}

/** Reads `/zookeeper/config` through a short session on the root (outside Wharf's chroot). */
export async function readEnsembleConfig(connectString: string): Promise<EnsembleConfig> {
  const session = new ZkSession({
    connectString,
    chroot: '/',
    connectTimeoutMs: CONFIG_READ_TIMEOUT_MS,
    operationTimeoutMs: CONFIG_READ_TIMEOUT_MS,
  });
  try {
    await session.start();
    return parseEnsembleConfig((await session.get('/zookeeper/config')).data.toString());
  } finally {
    await session.close();
  }
}
