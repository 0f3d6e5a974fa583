/** Messages between the constructor's main thread and its leader latch worker (`latch-worker.ts`). */
import { type LogLevel } from '@wharf/observability';

/** What the worker is started with (structured-cloned: plain data only). */
export interface LatchWorkerData {
  readonly connectString: string;
  readonly chroot: string;
  readonly sessionTimeoutMs: number;
  readonly latchPath: string;
  readonly id: string;
  readonly logLevel: LogLevel;
  /**
   * Longest the main thread may stay silent (no `alive`) before the worker gives the lead up: a
   * hung scheduler must not keep leadership only because this thread still answers pings.
   */
  readonly mainStallLimitMs: number;
}

/** Main thread → worker. */
export type MainToLatch = { type: 'close' } | { type: 'alive' };

/** Worker → main thread. */
export type LatchToMain =
  | { type: 'started' }
  | { type: 'leader'; leader: boolean }
  | { type: 'closed' }
  | { type: 'failed'; message: string };
