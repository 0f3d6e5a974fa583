import { isWharfError, serializeDocument, type PlanAttempt } from '@wharf/model';
import { beginStep, endStep, finishAttempt, logStep, newAttempt } from '../core/step-log';
import { AttemptEncoder } from './attempt-encoder';

const T0 = Date.parse('2026-12-07T07:00:00.000Z');

function started(): PlanAttempt {
  const fresh = newAttempt({
    attemptId: 'at-1',
    planId: 'p-1',
    deploymentId: 'd1',
    leader: 'c1',
    nowMs: T0,
    state: { cursor: 0 },
  });
  return logStep(beginStep(fresh, 'validate-plan-safety', T0 + 1), 'validate-plan-safety', 'read', T0 + 2);
}

/** The issues `encode` threw (fails the test when it did not throw `WHARF_VALIDATION`). */
function refusal(encoder: AttemptEncoder, attempt: PlanAttempt): unknown {
  try {
    encoder.encode(attempt);
  } catch (err) {
    if (isWharfError(err, 'WHARF_VALIDATION')) return err.details;
    throw err;
  }
  throw new Error('a malformed attempt was encoded');
}

describe('AttemptEncoder', () => {
  it('writes the bytes serializeDocument writes, save after save', () => {
    const encoder = new AttemptEncoder();
    let attempt = started();
    expect(encoder.encode(attempt)).toEqual(serializeDocument('plan-attempt', attempt));
    attempt = endStep(attempt, 'validate-plan-safety', 'success', T0 + 3);
    attempt = beginStep(attempt, 'allocate-instances', T0 + 4);
    expect(encoder.encode(attempt)).toEqual(serializeDocument('plan-attempt', attempt));
    const final = finishAttempt(attempt, 'success', T0 + 5);
    expect(encoder.encode(final)).toEqual(serializeDocument('plan-attempt', final));
  });

  it('validates again only the steps and lines it has not seen', () => {
    const encoder = new AttemptEncoder();
    let attempt = started();
    expect(encoder.unvalidated(attempt)).toEqual(attempt); // all new
    encoder.encode(attempt);
    attempt = logStep(attempt, 'validate-plan-safety', 'change set computed', T0 + 3);
    const part = encoder.unvalidated(attempt);
    expect(part.plan_attempt_log).toHaveLength(1);
    expect(part.plan_attempt_log[0]?.info_log.map((l) => l.message)).toEqual(['change set computed']);
    encoder.encode(attempt);
    attempt = beginStep(attempt, 'allocate-instances', T0 + 4);
    expect(encoder.unvalidated(attempt).plan_attempt_log.map((s) => s.step_id)).toEqual([
      'allocate-instances',
    ]);
  });

  it('still refuses a malformed attempt: a new line, a top-level field, a bound, with real paths', () => {
    const encoder = new AttemptEncoder();
    let attempt = started();
    encoder.encode(attempt);
    attempt = endStep(attempt, 'validate-plan-safety', 'success', T0 + 3);
    attempt = beginStep(attempt, 'allocate-instances', T0 + 4);
    encoder.encode(attempt);
    const tooManyDetails = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]));
    const badLine = logStep(attempt, 'allocate-instances', 'placed', T0 + 5, tooManyDetails);
    expect(refusal(encoder, badLine)).toEqual([
      { path: 'plan_attempt_log[1].info_log[1].details', message: expect.any(String) as string },
    ]);
    const badStatus = { ...attempt, status: 'finished' } as unknown as PlanAttempt;
    expect(refusal(encoder, badStatus)).toEqual([expect.objectContaining({ path: 'status' }) as unknown]);
    const badError = finishAttempt(attempt, 'error', T0 + 6, { message: 'x', failure_type: 'y'.repeat(129) });
    expect(refusal(encoder, badError)).toEqual([
      expect.objectContaining({ path: 'error.failure_type' }) as unknown,
    ]);
    const known = attempt.plan_attempt_log[0]!;
    const tooLong = { ...attempt, plan_attempt_log: Array.from({ length: 101 }, () => known) };
    expect(refusal(encoder, tooLong)).toEqual([
      expect.objectContaining({ path: 'plan_attempt_log' }) as unknown,
    ]);
    // A refused document leaves nothing remembered: the good one still encodes.
    expect(encoder.encode(attempt)).toEqual(serializeDocument('plan-attempt', attempt));
  });

  it('freezes what it validated, so an in-place change cannot skip validation', () => {
    const encoder = new AttemptEncoder();
    const attempt = started();
    encoder.encode(attempt);
    const step = attempt.plan_attempt_log[0]!;
    expect(() => {
      (step as { status: string }).status = 'bogus';
    }).toThrow(TypeError);
    expect(() => step.info_log.push({ timestamp: 'not a time', stage: 'in_progress', message: 'm' })).toThrow(
      TypeError,
    );
  });
});
