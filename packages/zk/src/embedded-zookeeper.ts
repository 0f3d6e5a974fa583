import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import {
  TLS_DIR,
  probeTls,
  secureClientPortLines,
  usesX509Auth,
  writeTlsStores,
  type EmbeddedZooKeeperTls,
} from './embedded-tls';
import { renderDynamicConfig, superDigest, SUPER_DIGEST_PROPERTY, type EnsembleServer } from './ensemble';
import { fourLetterWord } from './four-letter';
import { NOOP_LOGGER, type ZkLogger } from './logger';
import { type CompiledZkTls } from './tls';
import { DEFAULT_JAVA_DIR, javaArgs, renderLog4j, renderZooCfg } from './zk-config';
import { ensureX509Provider } from './x509-provider';
import { renderQuorumTls, tlsJvmProperties } from './zk-tls-config';

/** ZooKeeper's default tick; session timeouts are bounded to [2, 20] ticks. 500 ms keeps local timeouts short. */
export const DEFAULT_TICK_TIME_MS = 500;

/** Session timeouts are capped at this many ticks (ZooKeeper's own default bound). */
export const MAX_SESSION_TICKS = 20;

/** A cold JVM on a busy 2-core box takes 1–3 s; leave ample room. */
export const DEFAULT_START_TIMEOUT_MS = 20_000;

/** Graceful stop budget before SIGKILL: ZooKeeper snapshots on shutdown, which is quick at our sizes. */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;

/** Poll period and per-probe timeout of the `ruok` readiness check. */
export const READY_POLL_MS = 100;

/** How long freeze() waits for the kernel to report the JVM stopped (Linux /proc only). */
export const FREEZE_CONFIRM_MS = 1000;

/** Poll period of that wait. */
const FREEZE_POLL_MS = 5;

/** Lines of the server log quoted in a start failure. */
const LOG_TAIL_LINES = 20;

/** Options for an {@link EmbeddedZooKeeper}. */
export interface EmbeddedZooKeeperOptions {
  /** Snapshots, transaction logs, zoo.cfg and the server's log live here. */
  dataDir: string;
  /** Client port (default 2181); the secure client port when `tls` is set. */
  port?: number;
  /** Bind address (default 127.0.0.1: never expose the embedded server). */
  host?: string;
  tickTimeMs?: number;
  /** Upper bound granted to clients (default and maximum 20 × tick). */
  maxSessionTimeoutMs?: number;
  /** `java` executable (default `java` from PATH). */
  javaPath?: string;
  /** Directory with zookeeper.jar and its dependencies. */
  javaDir?: string;
  /** `javac`, to build Wharf's x509 auth provider on first use (default from PATH). */
  javacPath?: string;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Extra zoo.cfg lines. */
  extraConfig?: Record<string, string | number>;
  /** Serve mutual TLS only on `port` (see {@link EmbeddedZooKeeperTls}). */
  tls?: EmbeddedZooKeeperTls;
  /** Run as a member of a dynamically reconfigurable ensemble (see ensemble.ts). */
  ensemble?: EmbeddedEnsemble;
  logger?: ZkLogger;
}

/** This server's place in an ensemble. */
export interface EmbeddedEnsemble {
  /** This server's id; `servers` must list it (with `port` as its client port). */
  readonly myId: number;
  /** The membership to start with: the current members, plus this server when it joins. */
  readonly servers: readonly EnsembleServer[];
  /** Digest-auth super user's password, who alone may reconfigure (see ensemble.ts). */
  readonly superPassword: string;
}

/** Process state of an {@link EmbeddedZooKeeper}. */
export type EmbeddedZooKeeperState = 'stopped' | 'starting' | 'running' | 'frozen' | 'stopping';

/**
 * A standalone ZooKeeper server run as our own child process (`java … QuorumPeerMain zoo.cfg`,
 * argv without a shell, so signals reach the JVM): for `wharf up` on one host and for tests.
 * `freeze()`/`thaw()` (SIGSTOP/SIGCONT) simulate a stalled server; `restart()` keeps port and data.
 * With `tls` it serves mutual TLS only (secure client port, `ssl.clientAuth=need`, x509 auth) and
 * probes its own readiness over TLS.
 */
export class EmbeddedZooKeeper {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  private readonly tickTimeMs: number;
  private readonly logger: ZkLogger;
  /** TLS of our own readiness probes; null for a plaintext server. */
  private readonly probeTls: CompiledZkTls | null;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private current: EmbeddedZooKeeperState = 'stopped';
  private readonly exitHook = (): void => {
    this.child?.kill('SIGKILL');
  };

  constructor(private readonly options: EmbeddedZooKeeperOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 2181;
    this.dataDir = options.dataDir;
    this.tickTimeMs = options.tickTimeMs ?? DEFAULT_TICK_TIME_MS;
    this.logger = options.logger ?? NOOP_LOGGER;
    this.probeTls = options.tls === undefined ? null : probeTls(options.tls);
  }

  /** `host:port` for clients (TLS clients when `tls` is set). */
  get connectString(): string {
    return `${this.host}:${this.port}`;
  }

  /** The process state. */
  get state(): EmbeddedZooKeeperState {
    return this.current;
  }

  /** The JVM's pid while running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The server's log file. */
  get logFile(): string {
    return join(this.dataDir, 'zookeeper.log');
  }

  /** Writes the config, spawns the JVM and resolves once it answers `ruok` with `imok` and serves. */
  async start(): Promise<void> {
    if (this.current !== 'stopped') return;
    this.current = 'starting';
    try {
      if ((await fourLetterWord(this.host, this.port, 'ruok', READY_POLL_MS * 5, this.probeTls)) !== null) {
        throw new WharfError('WHARF_ZK_ERROR', 'zookeeper port already in use', {
          details: { port: this.port },
        });
      }
      const args = await this.writeConfig();
      this.spawn(args);
      await this.waitReady();
      this.current = 'running';
      this.logger.info('embedded zookeeper started', {
        connectString: this.connectString,
        pid: this.pid,
        tls: this.probeTls !== null,
      });
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`. Idempotent. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.current = 'stopping';
    child.kill('SIGCONT'); // a frozen JVM would hold SIGTERM pending forever
    child.kill('SIGTERM');
    const timeout = this.options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    await this.exited;
    clearTimeout(timer);
    this.logger.info('embedded zookeeper stopped', { connectString: this.connectString });
  }

  /** SIGKILL: the crash case (no shutdown snapshot). Idempotent. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === null) {
      this.current = 'stopped';
      return;
    }
    this.current = 'stopping';
    child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * SIGSTOP: the server keeps its sockets but answers nothing, like a long GC pause. Resolves once
   * the kernel reports every thread stopped (a request in flight could still be answered before).
   */
  async freeze(): Promise<void> {
    const pid = this.child?.pid;
    if (this.current !== 'running' || pid === undefined) return;
    this.child?.kill('SIGSTOP');
    this.current = 'frozen';
    const deadline = Date.now() + FREEZE_CONFIRM_MS;
    while (Date.now() < deadline && !(await isStopped(pid))) {
      await new Promise((resolve) => setTimeout(resolve, FREEZE_POLL_MS));
    }
    this.logger.info('embedded zookeeper frozen', { connectString: this.connectString });
  }

  /** SIGCONT after {@link freeze}. */
  thaw(): void {
    if (this.current !== 'frozen' || this.child === null) return;
    this.child.kill('SIGCONT');
    this.current = 'running';
    this.logger.info('embedded zookeeper thawed', { connectString: this.connectString });
  }

  /** Stops and starts again on the same port and data directory (sessions survive if quick). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async writeConfig(): Promise<string[]> {
    await mkdir(this.dataDir, { recursive: true });
    const cfgFile = join(this.dataDir, 'zoo.cfg');
    const log4jFile = join(this.dataDir, 'log4j.properties');
    const tls = this.options.tls;
    const ensemble = this.options.ensemble;
    if (tls !== undefined) await writeTlsStores(this.dataDir, tls);
    // After a reconfiguration the server rewrites zoo.cfg to name its own versioned dynamic file:
    // that membership is newer than ours, so a restart keeps it.
    const owned =
      ensemble !== undefined && (await readFile(cfgFile, 'utf8').catch(() => '')).includes('.dynamic.');
    if (ensemble !== undefined && !owned) await this.writeEnsembleFiles(ensemble);
    const maxTimeout = Math.min(
      this.options.maxSessionTimeoutMs ?? this.tickTimeMs * MAX_SESSION_TICKS,
      this.tickTimeMs * MAX_SESSION_TICKS,
    );
    if (!owned) {
      await writeFile(
        cfgFile,
        renderZooCfg({
          dataDir: this.dataDir,
          host: this.host,
          // An ensemble member's client port is in its `server.N` line.
          port: tls !== undefined ? (tls.plainPort ?? null) : ensemble !== undefined ? null : this.port,
          tickTimeMs: this.tickTimeMs,
          maxSessionTimeoutMs: maxTimeout,
          extra: {
            ...(tls === undefined ? {} : secureClientPortLines(this.dataDir, this.host, this.port, tls)),
            ...(ensemble === undefined ? {} : ensembleLines(this.dataDir, tls !== undefined)),
            ...this.options.extraConfig,
          },
        }),
      );
    }
    await writeFile(log4jFile, renderLog4j(this.logFile));
    const properties = [
      ...tlsJvmProperties(tls?.superUser),
      ...(ensemble === undefined
        ? []
        : [`-D${SUPER_DIGEST_PROPERTY}=${superDigest(ensemble.superPassword)}`]),
    ];
    const javaDir = this.options.javaDir ?? DEFAULT_JAVA_DIR;
    const extraClasspath = usesX509Auth(tls)
      ? [await ensureX509Provider({ javaDir, javacPath: this.options.javacPath })]
      : [];
    return javaArgs(javaDir, cfgFile, log4jFile, properties, extraClasspath);
  }

  private async writeEnsembleFiles(ensemble: EmbeddedEnsemble): Promise<void> {
    if (!ensemble.servers.some((s) => s.id === ensemble.myId && s.clientPort === this.port)) {
      throw new WharfError('WHARF_BAD_REQUEST', 'the ensemble must list this server with its client port', {
        details: { myId: ensemble.myId, port: this.port },
      });
    }
    await writeFile(join(this.dataDir, 'myid'), `${ensemble.myId}\n`);
    await writeFile(
      join(this.dataDir, DYNAMIC_CONFIG_FILE),
      renderDynamicConfig(ensemble.servers, this.options.tls !== undefined),
    );
  }

  private spawn(args: string[]): void {
    // JVM warnings (not the server log) go to zookeeper.out; nothing reaches our stdout.
    const out = openSync(join(this.dataDir, 'zookeeper.out'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.options.javaPath ?? 'java', args, {
        stdio: ['ignore', out, out],
        cwd: this.dataDir,
      });
    } finally {
      closeSync(out);
    }
    this.child = child;
    process.on('exit', this.exitHook);
    this.exited = new Promise<void>((resolve) => {
      const done = (): void => {
        process.off('exit', this.exitHook);
        if (this.child === child) {
          this.child = null;
          if (this.current !== 'stopping') {
            this.logger.error('embedded zookeeper exited unexpectedly', {
              connectString: this.connectString,
            });
          }
          this.current = 'stopped';
        }
        resolve();
      };
      child.once('exit', done);
      child.once('error', done);
    });
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    while (Date.now() < deadline) {
      if (this.child === null) break;
      if (await this.serving()) return;
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    throw new WharfError('WHARF_ZK_ERROR', 'embedded zookeeper did not become ready', {
      details: { connectString: this.connectString, exited: this.child === null, log: await this.logTail() },
    });
  }

  /**
   * `ruok` answers `imok` as soon as the process runs, before the database is loaded; `srvr`
   * reports a `Mode:` only once requests are served. Require both.
   */
  private async serving(): Promise<boolean> {
    const timeout = READY_POLL_MS * 5;
    const tls = this.probeTls;
    if ((await fourLetterWord(this.host, this.port, 'ruok', timeout, tls)) !== 'imok') return false;
    return (await fourLetterWord(this.host, this.port, 'srvr', timeout, tls))?.includes('Mode:') ?? false;
  }

  private async logTail(): Promise<string[]> {
    const files = [this.logFile, join(this.dataDir, 'zookeeper.out')];
    const lines: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8').catch(() => '');
      lines.push(...text.trim().split('\n').slice(-LOG_TAIL_LINES));
    }
    return lines.filter((l) => l !== '');
  }
}

/** The first dynamic configuration; the server writes later ones as `zoo.cfg.dynamic.<version>`. */
const DYNAMIC_CONFIG_FILE = 'zoo.cfg.dynamic';

/**
 * zoo.cfg lines of an ensemble member: never standalone (a quorum of one can grow), reconfig on,
 * the membership in its own file. Election and sync limits in ticks (5 s and 2.5 s at 500 ms).
 * A TLS member also speaks TLS to the others (`sslQuorum`, its certificate as both ends).
 */
function ensembleLines(dataDir: string, tls: boolean): Record<string, string | number> {
  return {
    standaloneEnabled: 'false',
    reconfigEnabled: 'true',
    dynamicConfigFile: join(dataDir, DYNAMIC_CONFIG_FILE),
    initLimit: 10,
    syncLimit: 5,
    ...(tls ? renderQuorumTls({ tlsDir: join(dataDir, TLS_DIR) }) : {}),
  };
}

/** True when every thread of `pid` is stopped (state 'T' in each /proc task stat file); true off Linux. */
async function isStopped(pid: number): Promise<boolean> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  for (const task of tasks) {
    const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => '');
    // Format: "tid (comm) S ..." — comm may contain spaces, so read after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state !== '' && state !== 'T' && state !== 't') return false;
  }
  return true;
}
