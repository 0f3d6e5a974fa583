/**
 * One attempt as the steps see it: the persisted attempt document (saved with a versioned write
 * after every change), its private state, and the checks every step makes between actions
 * (leadership, cancellation, timeout).
 */
import {
  FAILURE_TYPES,
  isWharfError,
  paths,
  type InstanceSpec,
  type PlanAttempt,
  type StepId,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { pastPointOfNoReturn, type AttemptState } from '../core/attempt-state';
import { attemptFailure } from '../core/failure';
import { type ObservedState } from '../core/observed';
import { beginStep, endStep, logStep, type StepOutcome } from '../core/step-log';
import { type ChangeSet } from '../core/changes';
import { type ConfigurationsById } from '../core/validate-plan';
import { groupAt, groupView } from '../core/strategies';
import { AttemptEncoder } from '../io/attempt-encoder';
import { documentsOf } from '../io/documents';
import { interrupted } from './interrupt';
import { type RunnerDeps } from './runner-deps';

/**
 * How long a wait may run before the attempt's unsaved log lines are written. Progress that
 * needs no durability (a step opened, a log line) rides on the next save instead of costing a
 * write of its own (one write per step transition); a wait longer than this shows it anyway, so
 * the activity log of an attempt that is stuck waiting says where. Shorter than a typical
 * instance start, so a fast start costs no extra write.
 */
export const UNSAVED_PROGRESS_MS = 250;

/** A step's view of its attempt. */
export class AttemptContext {
  /** The step whose log lines {@link log} appends to. */
  private openStep: StepId | undefined;
  /** The attempt document changed since the last save (log lines, a step opened). */
  private dirty = false;
  /** `attempt.state` as last saved, serialized: a log line after a state change saves at once. */
  private savedState: string;
  /** Validates each part of this attempt's documents once (see `io/attempt-encoder.ts`). */
  private readonly encoder = new AttemptEncoder();
  /**
   * The instance configurations `validate-plan-safety` just read, handed once to the
   * `allocate-instances` that follows (in memory only: a resumed attempt reads them again).
   */
  configurations: ConfigurationsById | undefined;
  /**
   * plan/current's version as `validate-plan-safety` read it (null: none), for the completion
   * transaction (in memory only; only the constructor writes plan/current, one runner per
   * deployment, so it stays right unless another leader took over, which the attempt's own
   * version fences anyway).
   */
  currentPlanVersion: number | null | undefined;
  /**
   * The held specs `allocate-instances` created in this process, as written (znode version 0), by
   * instance id: `start-instances` releases them without reading them back (in memory only: a
   * resumed attempt reads them, as does a release whose conditional write finds them changed).
   */
  readonly createdSpecs = new Map<string, InstanceSpec>();

  constructor(
    readonly deps: RunnerDeps,
    readonly deploymentId: string,
    /** The attempt document as last saved. */
    public attempt: PlanAttempt,
    /** Its znode version. */
    public version: number,
    /** Private progress, saved into `attempt.state`. */
    public state: AttemptState,
    /** Aborted when this leader must stop driving the attempt. */
    readonly signal: AbortSignal,
    readonly logger: Logger,
  ) {
    this.savedState = JSON.stringify(state);
  }

  /**
   * The change set (set by `validate-plan-safety`) as the current group sees it: the group's new
   * and leaving instances, everyone else running meanwhile as `keep` (see `core/strategies.ts`).
   */
  get changes(): ChangeSet {
    const changes = this.state.changes;
    if (!changes) throw new Error('change set not computed yet');
    return groupView(changes, groupAt(changes, this.state.cursor), this.state.placements);
  }

  /** The current clock reading. */
  now(): number {
    return this.deps.clock.now();
  }

  /** The latest observed allocators, specs and statuses. */
  observed(): ObservedState {
    return this.deps.observed();
  }

  /** Saves the attempt (with its state) conditionally on the version last read or written. */
  async save(): Promise<void> {
    const json = JSON.stringify(this.state);
    const doc: PlanAttempt = { ...this.attempt, state: JSON.parse(json) as Record<string, unknown> };
    try {
      const path = paths.planAttempt(this.deploymentId);
      const data = this.encode(doc);
      const stat = await this.deps.zk.set(path, data, this.version);
      this.deps.wrote(path, data);
      this.attempt = doc;
      this.version = stat.version;
      this.dirty = false;
      this.savedState = json;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE')) {
        throw interrupted('attempt changed by someone else', err);
      }
      throw err;
    }
  }

  /** This attempt's document as bytes, validated (throws `WHARF_VALIDATION`, nothing written). */
  encode(doc: PlanAttempt): Buffer {
    return this.encoder.encode(doc);
  }

  /** Saves when the document has unsaved progress (before something that may take a while). */
  async flush(): Promise<void> {
    if (this.dirty) await this.save();
  }

  /** Opens a step in the log; saved with the next save (see {@link UNSAVED_PROGRESS_MS}). */
  begin(step: StepId): void {
    this.openStep = step;
    this.attempt = beginStep(this.attempt, step, this.now());
    this.dirty = true;
  }

  /**
   * Appends a line to the open step. Saved at once when the attempt's state changed since the last
   * save (progress a resumed attempt must find: placements, the member joining, the members
   * left); otherwise with the next save.
   */
  async log(message: string, details?: Record<string, unknown>): Promise<void> {
    // `line`, not `message`: a `message` field would replace the log entry's own message.
    this.logger.debug('attempt step progress', { step: this.openStep, line: message, ...details });
    if (!this.openStep) return;
    this.attempt = logStep(this.attempt, this.openStep, message, this.now(), details);
    this.dirty = true;
    if (JSON.stringify(this.state) !== this.savedState) await this.save();
  }

  /**
   * Appends a line to the open step without saving, even when the state changed: for the last
   * line of a step whose end saves next with nothing in between (the state is saved before
   * anything depends on it; a crash before that save re-runs the step, which must then be
   * idempotent).
   */
  note(message: string, details?: Record<string, unknown>): void {
    this.logger.debug('attempt step progress', { step: this.openStep, line: message, ...details });
    if (!this.openStep) return;
    this.attempt = logStep(this.attempt, this.openStep, message, this.now(), details);
    this.dirty = true;
  }

  /**
   * Leaves the state as it is now (a step ended, the cursor moved) to the next save instead of
   * saving it at once: for a step followed by one whose first effect is preceded by a save of
   * its own (or that has no effect). A crash before that save resumes at the earlier step, which
   * runs again (steps are idempotent); a log line that follows saves only for a later change.
   */
  defer(): void {
    this.dirty = true;
    this.savedState = JSON.stringify(this.state);
  }

  /** Closes a step (the caller saves, usually together with the cursor). */
  end(step: StepId, outcome: StepOutcome, message?: string, failureType?: string): void {
    this.attempt = endStep(this.attempt, step, outcome, this.now(), message, failureType);
    if (this.openStep === step) this.openStep = undefined;
    const millis = this.attempt.plan_attempt_log.findLast((s) => s.step_id === step)?.duration_in_millis ?? 0;
    this.deps.metrics.steps.inc({ step, status: outcome });
    this.deps.metrics.stepDuration.observe({ step }, millis / 1000);
  }

  /**
   * Throws when the attempt must stop here: an interruption when leadership is gone; in the
   * forward phase before the point of no return, a timeout past the deadline and a cancellation
   * when the pending plan vanished or was replaced (confirmed by a fresh read: the cache may lag).
   */
  async checkpoint(): Promise<void> {
    if (this.signal.aborted) throw interrupted('leadership lost or constructor closing');
    if (this.state.phase !== 'forward' || pastPointOfNoReturn(this.state)) return;
    if (this.now() >= this.state.deadline_ms) {
      const seconds = Math.round(
        (this.state.deadline_ms - Date.parse(this.attempt.attempt_start_time)) / 1000,
      );
      const message = `the plan did not complete within its ${seconds} s timeout`;
      throw attemptFailure('WHARF_TIMEOUT', FAILURE_TYPES.timeout, message, { timeout_seconds: seconds });
    }
    if (this.deps.pendingPlanId(this.deploymentId) !== this.attempt.plan_id && (await this.pendingGone())) {
      throw attemptFailure('WHARF_CONFLICT', FAILURE_TYPES.cancelled, 'the pending plan was cancelled');
    }
  }

  /** True when plan/pending no longer holds this attempt's plan (read fresh). */
  private async pendingGone(): Promise<boolean> {
    const docs = documentsOf(this.deps.zk, this.deps.logger);
    const pending = await docs.readOrSkip('plan', paths.planPending(this.deploymentId));
    return pending?.value.plan_id !== this.attempt.plan_id;
  }

  /**
   * Waits until `check` returns a value (it may throw to fail the step). Re-evaluated on every
   * observed change and at least every `waitPollMs`; bounded by the plan deadline (through
   * {@link checkpoint}) in the forward phase.
   */
  async waitFor<T>(check: (observed: ObservedState) => T | undefined): Promise<T> {
    const value = await this.waitUntil(check, Infinity);
    if (value === undefined) throw new Error('unbounded wait ended without a value');
    return value;
  }

  /** Like {@link waitFor}, but gives up with undefined at `deadlineMs` (rollback and removal waits must end). */
  async waitUntil<T>(
    check: (observed: ObservedState) => T | undefined,
    deadlineMs: number,
  ): Promise<T | undefined> {
    const began = this.now();
    for (;;) {
      await this.checkpoint();
      const value = check(this.observed());
      if (value !== undefined) return value;
      const now = this.now();
      if (now >= deadlineMs) return undefined;
      if (this.dirty && now - began >= UNSAVED_PROGRESS_MS) {
        await this.save();
        // Why: a change that arrived during the save woke nobody (the wait below was not armed
        // yet). The save's own watch event used to wake this wait right after; the attempt node
        // is no longer watched (scheduler.ts), so look again now instead of sleeping up to the poll.
        continue;
      }
      const untilPlanDeadline = this.state.phase === 'forward' ? this.state.deadline_ms - now : Infinity;
      const untilFlush = this.dirty ? Math.max(1, began + UNSAVED_PROGRESS_MS - now) : Infinity;
      const sleep = Math.max(
        1,
        Math.min(this.deps.timing.waitPollMs, deadlineMs - now, untilPlanDeadline, untilFlush),
      );
      await this.deps.changes.wait(sleep, this.signal, this.deploymentId);
    }
  }
}
