import { type PlanStep } from '@wharf/model';
import { SteppingClock } from '@wharf/supervise';
import { ApiClient } from '../api/api-client';
import { type AttemptSnapshot } from './step-tracker';
import { TRACK_WAIT_NOTICE_MS, trackPlan } from './track-plan';

/** An API whose activity endpoint answers the given responses in order (the last one repeats). */
function activityApi(responses: (() => Response)[]) {
  let calls = 0;
  const fetchStub = (async () => responses[Math.min(calls++, responses.length - 1)]!()) as typeof fetch;
  return { client: new ApiClient({ baseUrl: 'http://127.0.0.1:1', fetch: fetchStub }), calls: () => calls };
}

const ok = (attempts: AttemptSnapshot[]) => () => new Response(JSON.stringify({ attempts }), { status: 200 });
const status =
  (code: number, body: unknown = { error: { code: 'X', message: 'm' } }) =>
  () =>
    new Response(JSON.stringify(body), { status: code });
const step = (step_id: string, stage: PlanStep['stage'], s: PlanStep['status'] = 'pending'): PlanStep => ({
  step_id,
  stage,
  status: s,
  info_log: [],
  ...(stage === 'completed' ? { duration_in_millis: 20 } : {}),
});
const attempt = (
  id: string,
  log: PlanStep[],
  s: AttemptSnapshot['status'] = 'running',
  plan_id = 'p-new',
): AttemptSnapshot => ({
  plan_attempt_id: id,
  plan_id,
  status: s,
  plan_attempt_log: log,
});

async function track(
  responses: (() => Response)[],
  options: { expectDeletion?: boolean; planId?: string; known?: string[]; json?: boolean } = {},
) {
  let out = '';
  const clock = new SteppingClock();
  const api = activityApi(responses);
  const code = await trackPlan({
    client: api.client,
    deploymentId: 'd1',
    ...(options.planId ? { planId: options.planId } : {}),
    knownAttemptIds: new Set(options.known ?? []),
    expectDeletion: options.expectDeletion ?? false,
    out: { write: (t) => (out += t) },
    json: options.json ?? false,
    clock,
    timeoutMs: 60_000,
  });
  return { code, lines: out.trimEnd().split('\n'), clock, calls: api.calls() };
}

describe('trackPlan', () => {
  it('follows the new attempt to success, polling every 500 ms, skipping older attempts', async () => {
    const old = attempt('old', [step('plan-completed', 'completed', 'success')], 'success', 'p-old');
    const { code, lines, clock } = await track(
      [
        ok([old]),
        ok([attempt('a2', [step('validate-plan-safety', 'in_progress')]), old]),
        ok([
          attempt(
            'a2',
            [
              step('validate-plan-safety', 'completed', 'success'),
              step('plan-completed', 'completed', 'success'),
            ],
            'success',
          ),
          old,
        ]),
      ],
      { known: ['old'] },
    );
    expect(code).toBe(0);
    expect(lines).toEqual([
      'plan attempt a2',
      '  validate-plan-safety: started',
      '  validate-plan-safety: success in 20ms',
      '  plan-completed: success in 20ms',
      'plan completed: success',
    ]);
    expect(clock.slept).toEqual([500, 500]);
  });

  it('exits 1 with the failure type when the plan fails', async () => {
    const failed = {
      ...attempt('a1', [step('plan-completed', 'completed', 'error')], 'error'),
      error: { failure_type: 'ClusterFailure:NoCapacity', message: 'too big' },
    };
    const { code, lines } = await track([ok([failed])], { planId: 'p-new' });
    expect(code).toBe(1);
    expect(lines.at(-1)).toBe('plan failed: ClusterFailure:NoCapacity: too big');
  });

  it('says once that it waits for a constructor, and rides out an unavailable API', async () => {
    const waiting = Math.ceil(TRACK_WAIT_NOTICE_MS / 500) + 1;
    const responses = [
      ...Array.from({ length: waiting }, () => ok([])),
      status(503),
      status(503),
      ok([attempt('a1', [], 'success')]),
    ];
    const { code, lines } = await track(responses);
    expect(code).toBe(0);
    expect(lines).toEqual([
      'waiting for a constructor to pick up the plan…',
      'the API is not answering; still trying',
      'plan attempt a1',
      'plan completed: success',
    ]);
  });

  it('treats the deployment disappearing as the end of a delete', async () => {
    const removing = ok([attempt('a1', [step('remove-instances', 'in_progress')])]);
    expect(await track([removing, status(404)], { expectDeletion: true })).toMatchObject({
      code: 0,
      lines: [
        'plan attempt a1',
        '  remove-instances: started',
        'plan completed: the deployment was removed',
        'deployment d1 deleted',
      ],
    });
  });

  it('reports a delete done only once GET /deployments/<id> answers 404 too, not at the shutdown success', async () => {
    const { code, lines, calls } = await track(
      [
        ok([attempt('a1', [step('wait-until-stopped', 'completed', 'success')], 'success')]),
        status(404), // activity: gone…
        () => new Response(JSON.stringify({ id: 'd1' }), { status: 200 }), // …but the record is still there
        ok([]),
        status(404),
      ],
      { expectDeletion: true },
    );
    expect(code).toBe(0);
    expect(lines).toEqual([
      'plan attempt a1',
      '  wait-until-stopped: success in 20ms',
      'plan completed: success',
      'deployment d1 deleted',
    ]);
    expect(calls).toBe(6);
  });

  it('ends a delete whose shutdown failed with its error', async () => {
    const { code, lines } = await track([ok([attempt('a1', [], 'error')])], { expectDeletion: true });
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/^plan failed/);
  });

  it('fails when a deployment being created vanishes', async () => {
    await expect(track([status(404)])).rejects.toMatchObject({ code: 'WHARF_NOT_FOUND' });
  });

  it('stops at the timeout without claiming success', async () => {
    await expect(track([ok([])])).rejects.toMatchObject({ code: 'WHARF_TIMEOUT' });
  });

  it('prints events as JSON lines with --json', async () => {
    const { lines } = await track([ok([attempt('a1', [], 'success')])], { json: true });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { kind: 'attempt-started', attemptId: 'a1' },
      { kind: 'attempt-finished', status: 'success' },
    ]);
  });
});
