/**
 * Drives one deployment's attempt from wherever it stands to `plan-completed`: opens a new attempt
 * for a pending plan or takes over a running one (resume), runs the forward steps in order
 * (saving the cursor after each), rolls back on failure, and completes.
 *
 * ```
 *  open ─▶ forward steps ──────────────────────────────▶ plan-completed (success)
 *              │ failure before the point of no return
 *              ▼
 *           rollback ─────────────────────────────────▶ plan-completed (error/cancelled)
 * ```
 */
import { randomUUID } from 'node:crypto';
import {
  FAILURE_TYPES,
  STEP_IDS,
  isWharfError,
  paths,
  serializeDocument,
  type PlanAttempt,
  type PlanDocument,
  type StepId,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import {
  currentStep,
  initialState,
  parseAttemptState,
  pastPointOfNoReturn,
  planTimeoutMs,
  serializeState,
  type AttemptPhase,
  type AttemptState,
} from '../core/attempt-state';
import { failureMessageOf, failureTypeOf } from '../core/failure';
import { finishAttempt, isActive, newAttempt, type StepOutcome } from '../core/step-log';
import { documentsOf } from '../io/documents';
import { AttemptContext } from './attempt-context';
import { completeAttempt } from './complete';
import { interrupted, isInterruption } from './interrupt';
import { rollbackAttempt } from './rollback';
import { type RunnerDeps } from './runner-deps';
import { resumeInstances, stopInstances } from './step-actions';
import { allocateInstances } from './step-allocate';
import { leaveCluster } from './step-leave';
import { migrateData } from './step-migrate';
import { removeInstances, waitUntilStopped } from './step-remove';
import { restoreSnapshot } from './step-restore';
import { snapshotBeforeChange } from './step-snapshot';
import { updateRouting } from './step-routing';
import { startInstances, waitUntilRunning } from './step-start';
import { validatePlanSafety } from './step-validate';

/** How a run ended. */
export type RunResult = 'completed' | 'idle' | 'interrupted';

type StepHandler = (ctx: AttemptContext) => Promise<StepOutcome>;

/** The forward steps by id. */
const FORWARD_STEPS: Partial<Record<StepId, StepHandler>> = {
  [STEP_IDS.validatePlanSafety]: validatePlanSafety,
  [STEP_IDS.allocateInstances]: allocateInstances,
  [STEP_IDS.startInstances]: startInstances,
  [STEP_IDS.waitUntilRunning]: waitUntilRunning,
  [STEP_IDS.migrateData]: migrateData,
  [STEP_IDS.updateRouting]: updateRouting,
  [STEP_IDS.leaveCluster]: leaveCluster,
  [STEP_IDS.removeInstances]: removeInstances,
  [STEP_IDS.waitUntilStopped]: waitUntilStopped,
  [STEP_IDS.stopInstances]: stopInstances,
  [STEP_IDS.resumeInstances]: resumeInstances,
  [STEP_IDS.restoreSnapshot]: restoreSnapshot,
  [STEP_IDS.snapshotBeforeChange]: snapshotBeforeChange,
};

/** Runs (or resumes) the attempt of `deploymentId` until it completes or `signal` aborts. */
export async function runAttempt(
  deps: RunnerDeps,
  deploymentId: string,
  signal: AbortSignal,
): Promise<RunResult> {
  const logger = deps.logger.child({ deployment: deploymentId });
  let ctx: AttemptContext | undefined;
  try {
    ctx = await openAttempt(deps, deploymentId, signal, logger);
    if (!ctx) return 'idle';
    deps.metrics.activeAttempts.inc();
    if (phaseOf(ctx) === 'forward') await driveForward(ctx);
    if (phaseOf(ctx) === 'rollback') await driveRollback(ctx);
    await completeAttempt(ctx);
    return 'completed';
  } catch (err) {
    if (!isInterruption(err) && !signal.aborted) throw err;
    logger.info('attempt interrupted', { reason: failureMessageOf(err) });
    return 'interrupted';
  } finally {
    if (ctx) deps.metrics.activeAttempts.dec();
  }
}

/**
 * Steps before which the cursor is not saved on its own (see `AttemptContext.defer`): none of
 * them acts before a save. `allocate-instances` saves its placements before writing any spec,
 * `wait-until-running` only waits (a wait saves unsaved progress after 250 ms), and
 * `plan-completed`'s transaction writes the whole attempt. A create plan costs three attempt
 * writes less; the attempt document's log still shows each step once it is saved.
 */
const DEFERRED_INTO: ReadonlySet<StepId> = new Set([
  STEP_IDS.allocateInstances,
  STEP_IDS.waitUntilRunning,
  STEP_IDS.planCompleted,
]);

/** Takes over a running attempt, or starts one for a pending plan; undefined when there is nothing to do. */
async function openAttempt(
  deps: RunnerDeps,
  d: string,
  signal: AbortSignal,
  logger: Logger,
): Promise<AttemptContext | undefined> {
  const fast = await openFromCache(deps, d, signal, logger);
  if (fast) return fast;
  const existing = await readAttemptNode(deps, d, logger);
  if (existing?.attempt && isActive(existing.attempt)) {
    const state = parseAttemptState(existing.attempt.state);
    if (state) {
      const ctx = new AttemptContext(
        deps,
        d,
        { ...existing.attempt, leader: deps.leaderId },
        existing.version,
        state,
        signal,
        logger.child({ attempt: existing.attempt.plan_attempt_id }),
      );
      await ctx.save(); // fences the previous leader: its next versioned write fails
      logger.info('attempt resumed', {
        attempt: existing.attempt.plan_attempt_id,
        step: currentStep(state),
        phase: state.phase,
      });
      return ctx;
    }
    logger.error('attempt state unreadable; failing the attempt', {
      attempt: existing.attempt.plan_attempt_id,
    });
    existing.version = await failUnreadable(deps, d, existing.attempt, existing.version);
  }
  let pending;
  try {
    pending = await documentsOf(deps.zk, deps.logger).read('plan', paths.planPending(d));
  } catch (err) {
    if (!isWharfError(err, 'WHARF_VALIDATION')) throw err;
    logger.warn('invalid pending plan skipped', { err });
    return undefined;
  }
  if (!pending) return undefined;
  const { state, attempt } = freshAttempt(deps, d, pending.value);
  const version = await writeNewAttempt(deps, d, attempt, existing?.version);
  logger.info('attempt started', { attempt: attempt.plan_attempt_id, plan: attempt.plan_id });
  return new AttemptContext(
    deps,
    d,
    attempt,
    version,
    state,
    signal,
    logger.child({ attempt: attempt.plan_attempt_id }),
  );
}

/** A new attempt (and its initial state) for `plan`, led by this constructor, timed from now. */
function freshAttempt(
  deps: RunnerDeps,
  d: string,
  plan: PlanDocument,
): { state: AttemptState; attempt: PlanAttempt } {
  const now = deps.clock.now();
  const state = initialState(plan, now + planTimeoutMs(plan));
  const attempt = newAttempt({
    attemptId: randomUUID(),
    planId: plan.plan_id,
    deploymentId: d,
    leader: deps.leaderId,
    nowMs: now,
    state: serializeState(state),
  });
  return { state, attempt };
}

/**
 * Starts the attempt for the pending plan the cache holds, without reading first: one
 * transaction checks that plan/pending is still at the cached version and creates (or replaces
 * a finished) attempt at its cached version. Undefined when the cache shows nothing to start
 * or an active attempt (resumed from a fresh read), or when the transaction finds the cache
 * behind: the caller then reads fresh, as it always did.
 */
async function openFromCache(
  deps: RunnerDeps,
  d: string,
  signal: AbortSignal,
  logger: Logger,
): Promise<AttemptContext | undefined> {
  const cached = deps.planNodes(d);
  const pending = cached?.pending;
  if (!pending || (cached.attempt && (!cached.attempt.value || isActive(cached.attempt.value))))
    return undefined;
  if (cached.attempt?.value?.plan_id === pending.value.plan_id) return undefined; // done, pending not yet gone
  const { state, attempt } = freshAttempt(deps, d, pending.value);
  const data = serializeDocument('plan-attempt', attempt);
  const tx = deps.zk.transaction().check(paths.planPending(d), pending.version);
  if (cached.attempt) tx.set(paths.planAttempt(d), data, cached.attempt.version);
  else tx.create(paths.planAttempt(d), data);
  try {
    await tx.commit();
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_TRANSACTION_FAILED')) return undefined;
    throw err;
  }
  logger.info('attempt started', { attempt: attempt.plan_attempt_id, plan: attempt.plan_id });
  const version = cached.attempt ? cached.attempt.version + 1 : 0;
  const child = logger.child({ attempt: attempt.plan_attempt_id });
  return new AttemptContext(deps, d, attempt, version, state, signal, child);
}

/** Runs forward steps from the cursor until `plan-completed` or a failure. */
async function driveForward(ctx: AttemptContext): Promise<void> {
  for (;;) {
    const step = currentStep(ctx.state);
    if (step === undefined || step === STEP_IDS.planCompleted) return;
    try {
      ctx.begin(step);
      await ctx.checkpoint();
      const handler = FORWARD_STEPS[step];
      if (!handler) throw new Error(`no handler for step ${step}`);
      const outcome = await handler(ctx);
      ctx.end(step, outcome);
      ctx.state.cursor++;
      if (DEFERRED_INTO.has(currentStep(ctx.state) ?? STEP_IDS.planCompleted)) ctx.defer();
      else await ctx.save();
    } catch (err) {
      if (isInterruption(err) || ctx.signal.aborted) throw err;
      await failForward(ctx, step, err);
      return;
    }
  }
}

/** Records a failed step; switches to rollback when the attempt created something it can undo. */
async function failForward(ctx: AttemptContext, step: StepId, err: unknown): Promise<void> {
  const failure = { failure_type: failureTypeOf(err), message: failureMessageOf(err) };
  ctx.logger.warn('attempt step failed', { step, failure_type: failure.failure_type, err });
  ctx.end(step, 'error', failure.message, failure.failure_type);
  ctx.state.failure = failure;
  if (!pastPointOfNoReturn(ctx.state) && ctx.state.placements !== undefined) {
    ctx.state.phase = 'rollback';
    ctx.attempt = { ...ctx.attempt, status: 'rolling_back' };
  } else {
    // Nothing was created (or old members already left): nothing to undo, complete with the error.
    ctx.state.phase = 'completing';
  }
  await ctx.save();
}

/** Runs the rollback step; a rollback that fails is logged and the attempt still completes. */
async function driveRollback(ctx: AttemptContext): Promise<void> {
  try {
    ctx.begin(STEP_IDS.rollback);
    ctx.end(STEP_IDS.rollback, await rollbackAttempt(ctx));
  } catch (err) {
    if (isInterruption(err) || ctx.signal.aborted) throw err;
    ctx.logger.error('rollback failed', { err });
    ctx.end(STEP_IDS.rollback, 'error', failureMessageOf(err), failureTypeOf(err));
  }
  ctx.state.phase = 'completing';
  await ctx.save();
}

/** The attempt's phase (read through a call so the compiler does not narrow it across awaits). */
function phaseOf(ctx: AttemptContext): AttemptPhase {
  return ctx.state.phase;
}

interface AttemptNode {
  attempt: PlanAttempt | undefined;
  version: number;
}

/** The attempt node as it is now (a malformed document reads as no attempt, with its version). */
async function readAttemptNode(
  deps: RunnerDeps,
  d: string,
  logger: Logger,
): Promise<AttemptNode | undefined> {
  const docs = documentsOf(deps.zk, deps.logger);
  const path = paths.planAttempt(d);
  const node = await docs.readRaw(path);
  if (node === undefined) return undefined;
  const attempt = docs.decodeOrSkip('plan-attempt', path, node.data);
  if (attempt === undefined) logger.warn('invalid attempt document; it will be replaced', {});
  return { attempt, version: node.stat.version };
}

async function writeNewAttempt(
  deps: RunnerDeps,
  d: string,
  attempt: PlanAttempt,
  version: number | undefined,
): Promise<number> {
  const data = serializeDocument('plan-attempt', attempt);
  try {
    const written =
      version === undefined
        ? (await deps.zk.create(paths.planAttempt(d), data), 0)
        : (await deps.zk.set(paths.planAttempt(d), data, version)).version;
    return written;
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_NODE_EXISTS', 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE')) {
      throw interrupted('another constructor wrote the attempt', err);
    }
    throw err;
  }
}

async function failUnreadable(
  deps: RunnerDeps,
  d: string,
  attempt: PlanAttempt,
  version: number,
): Promise<number> {
  const failed = finishAttempt(attempt, 'error', deps.clock.now(), {
    message: 'attempt state unreadable; a new attempt replaces it',
    failure_type: FAILURE_TYPES.internal,
  });
  const data = serializeDocument('plan-attempt', failed);
  return (await deps.zk.set(paths.planAttempt(d), data, version)).version;
}
