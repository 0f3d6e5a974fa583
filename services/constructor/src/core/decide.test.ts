import { type PlanAttempt } from '@wharf/model';
import { etcdPlanDoc, shutdownPlanDoc, T0 } from '../../test/fixtures';
import { decideWork } from './decide';
import { newAttempt } from './step-log';

const attempt = (planId: string, status: PlanAttempt['status']): PlanAttempt => ({
  ...newAttempt({ attemptId: 'a', planId, deploymentId: 'd1', leader: 'c', nowMs: 0, state: {} }),
  status,
});
const deployment = (deleting = false) => ({
  schema_version: 1 as const,
  id: 'd1',
  name: 'n',
  created: T0,
  updated: T0,
  ...(deleting ? { deleting } : {}),
});

describe('decideWork', () => {
  it('drives a new pending plan and resumes a running or rolling-back attempt', () => {
    expect(decideWork({ id: 'd1', pending: etcdPlanDoc('d1', { planId: 'p2' }) })).toBe('attempt');
    expect(
      decideWork({
        id: 'd1',
        pending: etcdPlanDoc('d1', { planId: 'p2' }),
        attempt: attempt('p1', 'success'),
      }),
    ).toBe('attempt');
    expect(decideWork({ id: 'd1', attempt: attempt('p1', 'running') })).toBe('attempt');
    expect(decideWork({ id: 'd1', attempt: attempt('p1', 'rolling_back') })).toBe('attempt');
  });

  it('does nothing when the attempt for the pending plan already finished (cache lag) or nothing is pending', () => {
    expect(
      decideWork({
        id: 'd1',
        pending: etcdPlanDoc('d1', { planId: 'p1' }),
        attempt: attempt('p1', 'success'),
      }),
    ).toBeUndefined();
    expect(
      decideWork({ id: 'd1', deployment: deployment(), attempt: attempt('p1', 'error') }),
    ).toBeUndefined();
  });

  it('finishes deleting a shut-down deployment whose subtree deletion was interrupted', () => {
    expect(decideWork({ id: 'd1', deployment: deployment(true) })).toBe('delete');
    const shutdown = shutdownPlanDoc('d1', 'p9');
    expect(
      decideWork({
        id: 'd1',
        deployment: deployment(true),
        pending: shutdown,
        attempt: attempt('p9', 'success'),
      }),
    ).toBe('delete');
    expect(decideWork({ id: 'd1', deployment: deployment(true), pending: shutdown })).toBe('attempt');
  });
});
