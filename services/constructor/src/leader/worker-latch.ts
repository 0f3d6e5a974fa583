/**
 * The constructor's leader election on its own thread. The latch session's timeout is short (2 s:
 * a standby takes over ~2 s after a leader's host died), and on the main thread its pings and its
 * stall watchdog shared the event loop with the scheduler: under a burst of plans the loop stalled
 * for up to 1.2 s (bench/fleet, docs/benchmarks.md "fifth pass"), the watchdog read that as a
 * silent server, and leadership was dropped and the whole tree re-read 2–3 times per run. In a
 * worker the session is starved by nothing but the OS; a crashed or killed process still loses
 * it at once (the thread dies with it), so failover keeps its 2 s. The other way round — a main
 * thread that hangs while the worker still answers pings — would keep the lead with nobody
 * scheduling: the main thread posts `alive` every second and the worker gives the lead up after
 * {@link DEFAULT_MAIN_STALL_LIMIT_MS} without one (then exits, which shuts the process down).
 *
 * `latent` → `starting` → `started` → `closed`; `isLeader`/`notLeader` as the worker reports them.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type LatchToMain, type LatchWorkerData, type MainToLatch } from './latch-protocol';

/**
 * Main-thread silence after which the worker gives the lead up: well above the longest stall the
 * fleet bench saw under a burst of plans (9.2 s at load 15–29), so a busy leader is not deposed,
 * far below "forever".
 */
export const DEFAULT_MAIN_STALL_LIMIT_MS = 30_000;
/** How often the main thread says it is alive. */
const ALIVE_INTERVAL_MS = 1_000;

/** What the constructor needs of an election (a {@link LeaderLatch} has the same shape). */
export interface LeaderElection {
  start(): Promise<void>;
  close(): Promise<void>;
  isLeader(): boolean;
  on(event: 'isLeader' | 'notLeader', listener: () => void): unknown;
}

/** Options of a {@link WorkerLeaderLatch}. */
export interface WorkerLeaderLatchOptions extends Omit<LatchWorkerData, 'mainStallLimitMs'> {
  /** Default {@link DEFAULT_MAIN_STALL_LIMIT_MS}. */
  mainStallLimitMs?: number;
  logger: Logger;
  /** The worker's compiled entry; default `latch-worker.js` beside this file (dist). */
  workerPath?: string;
  /**
   * Called when the worker ends without being asked to (the constructor then can never lead
   * again; `main.ts` shuts the process down with a failure code so its supervisor restarts it).
   */
  onUnexpectedExit?: (code: number) => void;
}

/** State of a {@link WorkerLeaderLatch}. */
export type WorkerLeaderLatchState = 'latent' | 'starting' | 'started' | 'closed';

/** A leader latch whose session and latch run in a worker thread. */
export class WorkerLeaderLatch implements LeaderElection {
  private current: WorkerLeaderLatchState = 'latent';
  private leader = false;
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private alive: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly listeners = { isLeader: new Set<() => void>(), notLeader: new Set<() => void>() };

  constructor(private readonly o: WorkerLeaderLatchOptions) {}

  /** The latch's state. */
  get state(): WorkerLeaderLatchState {
    return this.current;
  }

  /** True while the worker reports this contender as leader. */
  isLeader(): boolean {
    return this.leader;
  }

  /** Adds a listener for a leadership change. */
  on(event: 'isLeader' | 'notLeader', listener: () => void): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Starts the worker; resolves once its session is up and it joined the election. */
  start(): Promise<void> {
    if (this.current !== 'latent') return Promise.resolve();
    this.current = 'starting';
    const { logger, workerPath, onUnexpectedExit, mainStallLimitMs, ...rest } = this.o;
    const data: LatchWorkerData = {
      ...rest,
      mainStallLimitMs: mainStallLimitMs ?? DEFAULT_MAIN_STALL_LIMIT_MS,
    };
    const worker = new Worker(workerPath ?? join(__dirname, 'latch-worker.js'), { workerData: data });
    this.worker = worker;
    this.alive = setInterval(
      () => worker.postMessage({ type: 'alive' } satisfies MainToLatch),
      ALIVE_INTERVAL_MS,
    );
    this.alive.unref();
    this.exited = new Promise<void>((resolve) =>
      worker.once('exit', () => {
        clearInterval(this.alive);
        resolve();
      }),
    );
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: LatchToMain) => {
        if (message.type === 'started') {
          if (this.current === 'starting') this.current = 'started';
          resolve();
        } else if (message.type === 'leader') this.setLeader(message.leader);
        else if (message.type === 'failed') {
          logger.error('leader latch worker failed', { message: message.message });
          reject(
            new WharfError('WHARF_ZK_CONNECTION_LOSS', `leader latch worker failed: ${message.message}`),
          );
        }
      });
      worker.on('error', (err) => {
        logger.error('leader latch worker crashed', { err });
        reject(err);
      });
      worker.on('exit', (code) => {
        // Whatever the reason, no session holds the latch node any more: not leading.
        this.setLeader(false);
        if (this.current !== 'closed') {
          logger.error('leader latch worker exited', { code });
          onUnexpectedExit?.(code);
        }
        reject(new WharfError('WHARF_ZK_CLOSED', 'leader latch worker exited'));
      });
    });
  }

  /** Leaves the election (deletes the latch node) and ends the worker. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const worker = this.worker;
    this.current = 'closed';
    this.setLeader(false);
    if (!worker) return;
    worker.postMessage({ type: 'close' } satisfies MainToLatch);
    await this.exited;
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    for (const listener of this.listeners[leader ? 'isLeader' : 'notLeader']) listener();
  }
}
