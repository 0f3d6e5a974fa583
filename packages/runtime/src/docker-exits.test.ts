import { type ContainerInspectInfo } from 'dockerode';
import { RunTracker } from './docker-exits';
import { type ExitEvent } from './types';

const raw = (startedAt: string, running: boolean, exitCode = 0): ContainerInspectInfo =>
  ({
    Id: 'c1',
    Name: '/wharf-c1',
    Config: { Labels: { 'wharf.instance': 'i1', 'wharf.managed': 'true' } },
    State: { Running: running, StartedAt: startedAt, ExitCode: exitCode },
  }) as unknown as ContainerInspectInfo;

describe('RunTracker', () => {
  let events: ExitEvent[];
  let tracker: RunTracker;
  beforeEach(() => {
    events = [];
    tracker = new RunTracker((event) => events.push(event));
  });

  it('reports a run once, with its exit code, however often it is seen ended', () => {
    tracker.settle('c1', raw('t1', true), false);
    tracker.settle('c1', raw('t1', false, 3), false);
    tracker.settle('c1', raw('t1', false, 3), true);
    expect(events).toEqual([
      {
        id: 'c1',
        name: 'wharf-c1',
        labels: { 'wharf.instance': 'i1' },
        exitCode: 3,
        signal: null,
        unobserved: false,
      },
    ]);
  });

  it('reports a run that ended before anyone looked, once it was tracked', () => {
    tracker.track(raw('t1', false, 137));
    tracker.settle('c1', raw('t1', false, 137), false);
    expect(events).toMatchObject([{ exitCode: null, signal: 'SIGKILL' }]);
  });

  it('ignores containers never seen running, and reports replaced or vanished runs', () => {
    tracker.settle('c1', raw('t0', false, 1), false);
    expect(events).toEqual([]);
    tracker.settle('c1', raw('t1', true), false);
    tracker.settle('c1', raw('t2', true), true, { exitCode: 4, signal: null });
    tracker.settle('c1', null, true);
    expect(events).toMatchObject([
      { exitCode: 4, unobserved: true },
      { exitCode: null, signal: null, unobserved: true },
    ]);
    expect(tracker.size).toBe(0);
  });
});
