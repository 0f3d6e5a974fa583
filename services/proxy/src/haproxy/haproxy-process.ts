/**
 * One HAProxy child process: spawned with an argument array (`haproxy -db -f <cfg>`), ready once
 * its admin socket answers, soft-stopped (SIGUSR1: finish in-flight requests, bounded by
 * `hard-stop-after`) on close, killed if it outlives {@link STOP_GRACE_MS}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { WharfError } from '@wharf/model';
import type { Logger } from '@wharf/observability';
import { HARD_STOP_AFTER_MS } from './render-config';
import type { RuntimeApi } from './runtime-api';

/** HAProxy binary when none is given: Debian's package puts it in `/usr/sbin`. */
export const DEFAULT_HAPROXY_BIN = '/usr/sbin/haproxy';
/** Longest HAProxy may take to open its admin socket (it parses the config in milliseconds). */
export const START_TIMEOUT_MS = 10_000;
/** How often the admin socket is tried while HAProxy starts. */
const START_POLL_MS = 20;
/** A soft stop beyond HAProxy's own `hard-stop-after` (plus margin) means it is stuck: SIGKILL. */
export const STOP_GRACE_MS = HARD_STOP_AFTER_MS + 2_000;
/** HAProxy's stderr kept for the error of a failed start. */
const STDERR_TAIL_BYTES = 4_096;

/** A running HAProxy. */
export class HaproxyProcess {
  private child: ChildProcess | undefined;
  private stderrTail = '';
  private exited: Promise<void> | undefined;

  constructor(
    private readonly bin: string,
    private readonly configPath: string,
    readonly api: RuntimeApi,
    private readonly logger: Logger,
  ) {}

  /** HAProxy's pid (the master of its threads), while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Spawns HAProxy and resolves once its admin socket answers; throws `WHARF_UNAVAILABLE` if it cannot. */
  async start(): Promise<void> {
    const child = spawn(this.bin, ['-db', '-f', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    void this.exited.then(() => {
      if (this.child === child)
        this.logger.warn('haproxy exited', { code: child.exitCode, signal: child.signalCode });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const failed = await Promise.race([spawnError, this.exited.then(() => true), sleep(START_POLL_MS)]);
      if (failed instanceof Error || failed === true || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new WharfError('WHARF_UNAVAILABLE', 'haproxy did not start', {
          cause: failed instanceof Error ? failed : undefined,
          details: { stderr: this.stderrTail.trim() },
        });
      }
      try {
        await this.api.command('show info');
        this.logger.info('haproxy started', { pid: child.pid });
        return;
      } catch {
        // Not listening yet.
      }
    }
  }

  /** Soft stop, then SIGKILL after {@link STOP_GRACE_MS}; idempotent. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.exited === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      this.child = undefined;
      child.kill('SIGUSR1');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

function sleep(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms));
}
