/** What an attempt runner is given by the scheduler. */
import { type Logger } from '@wharf/observability';
import { type ConstructorClock } from '../clock';
import { type PresenceOf } from '../core/allocator-loss';
import { DEFAULT_DRAIN_MS, DEFAULT_PAUSE_DRAIN_MS } from '../core/drain';
import { type ObservedState } from '../core/observed';
import { type ConfigurationsById } from '../core/validate-plan';
import { type ConstructorMetrics } from '../metrics';
import { type StackResolver } from '../stack-port';
import { type CachedPlanNodes } from '../io/deployments-index';
import { type ObservedIndex } from '../io/observed-index';
import { type KnownRoute } from './route-writer';
import { type ZkPort } from '../io/zk-port';
import { type ChangeSignal } from './change-signal';
import { type EventSink } from '../events/sink';

/** Tunable waits of the attempt runner. */
export interface RunnerTiming {
  /** Longest a wait goes without re-checking its condition when no change event arrives. */
  waitPollMs: number;
  /** First pause after a failed membership hook; doubles up to {@link RunnerTiming.hookRetryMaxMs}. */
  hookRetryBaseMs: number;
  /** Longest pause between membership hook retries. */
  hookRetryMaxMs: number;
  /** How long a rollback (or a shutdown) waits for removed instances to stop before moving on. */
  rollbackTimeoutMs: number;
  /**
   * How long an instance stays listed as draining (unroutable) before it leaves the route and
   * stops (`WHARF_DRAIN_MS`; see `core/drain.ts`).
   */
  drainMs: number;
  /**
   * How long the route stays paused (every member unroutable, proxies holding requests) before a
   * leave that stops the cluster briefly, so requests in flight finish first.
   */
  pauseDrainMs: number;
}

/**
 * Defaults: a missed watch costs at most 2 s; etcd refuses member add for ~5 s after a member
 * (re)starts, so hook retries start at 250 ms and cap at 5 s; a rollback waits up to 2 min for
 * allocators to stop instances (a dead allocator must not block the attempt forever); drain: see
 * {@link DEFAULT_DRAIN_MS}.
 */
export const DEFAULT_RUNNER_TIMING: Readonly<RunnerTiming> = Object.freeze({
  waitPollMs: 2_000,
  hookRetryBaseMs: 250,
  hookRetryMaxMs: 5_000,
  rollbackTimeoutMs: 120_000,
  drainMs: DEFAULT_DRAIN_MS,
  pauseDrainMs: DEFAULT_PAUSE_DRAIN_MS,
});

/** Dependencies of an attempt runner. */
export interface RunnerDeps {
  zk: ZkPort;
  stacks: StackResolver;
  logger: Logger;
  metrics: ConstructorMetrics;
  clock: ConstructorClock;
  timing: RunnerTiming;
  /** This constructor's id (written as `attempt.leader`). */
  leaderId: string;
  /** The latest view of allocators, specs and statuses. */
  observed: () => ObservedState;
  /** Notified whenever a watched subtree changes. */
  changes: ChangeSignal;
  /** The plan id of the deployment's pending plan as last seen; undefined when there is none. */
  pendingPlanId: (deploymentId: string) => string | undefined;
  /**
   * The same allocators, specs and statuses, indexed for placement, with the ledger of this
   * constructor's own spec writes not yet echoed by the cache (see `io/observed-index.ts`).
   */
  index: ObservedIndex;
  /**
   * The deployment's pending plan and attempt node as the cache last saw them, with versions
   * (writes conditional on them skip a read; see `io/deployments-index.ts`).
   */
  planNodes: (deploymentId: string) => CachedPlanNodes | undefined;
  /**
   * The deployment's route as the routes cache last saw it: null when the cache knows there is
   * none, undefined when it cannot tell (not loaded yet).
   */
  cachedRoute: (deploymentId: string) => KnownRoute | null | undefined;
  /**
   * Told the version at which an attempt was written finished, so the scheduler does not start a
   * runner for it again from a cache that still shows it running.
   */
  attemptSettled: (deploymentId: string, version: number, planId: string) => void;
  /**
   * The listed instance configurations as the configurations cache holds them; undefined when it
   * cannot tell (not loaded yet): then they are read.
   */
  cachedConfigurations: (ids: readonly string[]) => ConfigurationsById | undefined;
  /** Told each validated document written (its bytes come back through the cache unvalidated). */
  wrote: (path: string, data: Buffer) => void;
  /** Whether each allocator is live, briefly gone, or lost (route flags), as of the call. */
  allocatorPresence: PresenceOf;
  /** Where a failed plan is reported. */
  events?: EventSink;
}
