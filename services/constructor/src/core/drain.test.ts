import { type PlanAttempt } from '@wharf/model';
import { drainingInstances, withDraining } from './drain';

function attempt(status: PlanAttempt['status'], draining?: string[]): PlanAttempt {
  return {
    status,
    state: {
      plan: { plan_id: 'p1' },
      deadline_ms: 1,
      cursor: 0,
      phase: 'forward',
      ...(draining ? { draining } : {}),
    },
  } as unknown as PlanAttempt;
}

describe('drainingInstances', () => {
  it('collects the instances of active attempts only', () => {
    const views = [
      { attempt: attempt('running', ['d1-main-3', 'd1-main-4']) },
      { attempt: attempt('rolling_back', ['d2-main-5']) },
      { attempt: attempt('success', ['d3-main-0']) },
      { attempt: attempt('running') },
      {},
    ];
    expect([...drainingInstances(views)].sort()).toEqual(['d1-main-3', 'd1-main-4', 'd2-main-5']);
  });

  it('ignores an attempt whose state is unreadable', () => {
    const broken = { status: 'running', state: { nonsense: true } } as unknown as PlanAttempt;
    expect(drainingInstances([{ attempt: broken }]).size).toBe(0);
  });
});

describe('withDraining', () => {
  it('appends new ids once, keeping the order', () => {
    expect(withDraining(undefined, ['b', 'a', 'b'])).toEqual(['b', 'a']);
    expect(withDraining(['a'], ['a', 'c'])).toEqual(['a', 'c']);
    expect(withDraining(['a'], ['a'])).toEqual(['a']);
  });
});
