/**
 * Serialises one attempt's documents for its saves, validating each part of the document once
 * instead of on every save.
 *
 * An attempt is saved about five times per plan and its step log only grows: the steps and log
 * lines of the last save are the same objects in the next one (`core/step-log.ts` is pure: it
 * copies what it changes and shares the rest). ajv checking the whole log again on each save was
 * the largest validation cost left in the constructor. So each save validates, with the same
 * schema, the document with only the steps and log lines not validated before (the top-level
 * fields, `error` and `state`'s keys every time), and then remembers them:
 *
 * ```
 *  save n:   { …fields, log: [s1{l1,l2}, s2{l3}] }        → ajv sees all of it
 *  save n+1: { …fields, log: [s1{l1,l2}, s2'{l3,l4}] }    → ajv sees { …fields, log: [s2'{l4}] }
 * ```
 *
 * What is remembered is frozen, so a later in-place change cannot slip past (it throws instead).
 * Bounds the reduced document hides (steps per attempt, lines per step) are checked here; a
 * document that fails is validated again whole so the error's paths point into the real document.
 * A step line's `details` object belongs to its caller and is not frozen: the schema bounds only
 * its keys, which callers never change after logging.
 */
import {
  assertDocument,
  validateDocument,
  type PlanAttempt,
  type PlanStep,
  type StepLogEntry,
} from '@wharf/model';

/** `plan_attempt_log`'s `maxItems` in the schema. */
const MAX_STEPS = 100;
/** A step's `info_log` `maxItems` in the schema. */
const MAX_INFO_LOG = 200;

/** Attempt documents to bytes, validated incrementally (one per attempt being driven). */
export class AttemptEncoder {
  private readonly steps = new WeakSet<PlanStep>();
  private readonly lines = new WeakSet<StepLogEntry>();

  /** Validates what is new in `attempt` (throws `WHARF_VALIDATION`) and serialises it. */
  encode(attempt: PlanAttempt): Buffer {
    if (!validateDocument('plan-attempt', this.unvalidated(attempt)).ok)
      assertDocument('plan-attempt', attempt);
    this.remember(attempt);
    return Buffer.from(JSON.stringify(attempt));
  }

  /** The part of `attempt` the next {@link encode} validates (the whole when a bound is passed). */
  unvalidated(attempt: PlanAttempt): PlanAttempt {
    const log: unknown = attempt.plan_attempt_log;
    if (!Array.isArray(log) || log.length > MAX_STEPS) return attempt;
    const fresh: PlanStep[] = [];
    for (const step of log as PlanStep[]) {
      if (this.steps.has(step)) continue;
      const lines: unknown = step?.info_log;
      if (!Array.isArray(lines) || lines.length > MAX_INFO_LOG) return attempt;
      fresh.push({ ...step, info_log: (lines as StepLogEntry[]).filter((l) => !this.lines.has(l)) });
    }
    return { ...attempt, plan_attempt_log: fresh };
  }

  private remember(attempt: PlanAttempt): void {
    for (const step of attempt.plan_attempt_log) {
      if (this.steps.has(step)) continue;
      for (const line of step.info_log) {
        if (this.lines.has(line)) continue;
        this.lines.add(Object.freeze(line));
      }
      Object.freeze(step.info_log);
      this.steps.add(Object.freeze(step));
    }
  }
}
