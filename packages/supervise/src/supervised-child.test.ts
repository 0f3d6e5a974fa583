import { type ChildExit } from './spawn';
import { ManualClock } from './clock';
import { RESTART_BASE_DELAY_MS, STABLE_RUN_MS } from './backoff';
import {
  type Launched,
  type StateKind,
  SupervisedChild,
  type SupervisedChildOptions,
} from './supervised-child';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A launcher whose children end when the test calls `end()`. */
function fakeLaunch(failFirst = 0) {
  const launched: { pid: number; end: (exit: ChildExit) => void; stops: number }[] = [];
  let calls = 0;
  const launch = async (): Promise<Launched> => {
    if (calls++ < failFirst) throw new Error('cannot start');
    let end!: (exit: ChildExit) => void;
    const exited = new Promise<ChildExit>((resolve) => (end = resolve));
    const entry = { pid: 100 + launched.length, end, stops: 0 };
    launched.push(entry);
    return {
      pid: entry.pid,
      exited,
      stop: async () => {
        entry.stops++;
        end({ code: 0, signal: 'SIGTERM' });
        return 'terminated';
      },
    };
  };
  return { launch, launched };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function supervise(overrides: Partial<SupervisedChildOptions> & Pick<SupervisedChildOptions, 'launch'>) {
  const clock = new ManualClock();
  const kinds: StateKind[] = [];
  const child = new SupervisedChild({
    name: 'svc',
    logger: quiet,
    clock,
    random: () => 0,
    onChange: (c) => kinds.push(c.state.kind),
    ...overrides,
  });
  return { clock, child, kinds };
}

test('a crashed child is relaunched after the back-off, counting restarts', async () => {
  const { launch, launched } = fakeLaunch();
  const exits: ChildExit[] = [];
  const { clock, child, kinds } = supervise({ launch, onExit: (_c, exit) => exits.push(exit) });
  child.start();
  await flush();
  expect(child.state).toEqual({ kind: 'running', pid: 100, since: 0 });

  launched[0]!.end({ code: 1, signal: null });
  await flush();
  expect(child.state).toMatchObject({ kind: 'backing-off', delayMs: RESTART_BASE_DELAY_MS });
  expect(child.pid).toBeUndefined();
  expect(clock.pending()).toEqual([RESTART_BASE_DELAY_MS]);
  expect(exits).toEqual([{ code: 1, signal: null }]);

  clock.advance(RESTART_BASE_DELAY_MS);
  await flush();
  expect(child.pid).toBe(101);
  expect(child.restarts).toBe(1);

  launched[1]!.end({ code: null, signal: 'SIGKILL' });
  await flush();
  expect(clock.pending()).toEqual([2 * RESTART_BASE_DELAY_MS]);
  expect(kinds).toEqual(['starting', 'running', 'backing-off', 'starting', 'running', 'backing-off']);
});

/** A supervised fake whose first child already crashed. */
async function afterFirstCrash(overrides: Partial<SupervisedChildOptions> = {}) {
  const { launch, launched } = fakeLaunch();
  const supervised = supervise({ launch, ...overrides });
  supervised.child.start();
  await flush();
  launched[0]!.end({ code: 1, signal: null });
  await flush();
  return { ...supervised, launched };
}

test('a run longer than the stable period starts the back-off over', async () => {
  const { clock, launched } = await afterFirstCrash();
  clock.advance(RESTART_BASE_DELAY_MS);
  await flush();
  clock.advance(STABLE_RUN_MS);
  launched[1]!.end({ code: 1, signal: null });
  await flush();
  expect(clock.pending()).toEqual([RESTART_BASE_DELAY_MS]);
});

test('a launch that throws is retried with back-off', async () => {
  const { launch, launched } = fakeLaunch(2);
  const { clock, child } = supervise({ launch });
  child.start();
  await flush();
  expect(child.state.kind).toBe('backing-off');
  clock.advance(RESTART_BASE_DELAY_MS);
  await flush();
  expect(clock.pending()).toEqual([2 * RESTART_BASE_DELAY_MS]);
  clock.advance(2 * RESTART_BASE_DELAY_MS);
  await flush();
  expect(child.state.kind).toBe('running');
  expect(launched).toHaveLength(1);
});

test('without restart, an exit is final: failed', async () => {
  const { launch, launched } = fakeLaunch();
  const { clock, child } = supervise({ launch, restart: false });
  child.start();
  await flush();
  launched[0]!.end({ code: 3, signal: null });
  await flush();
  expect(child.state).toEqual({ kind: 'failed', exit: { code: 3, signal: null } });
  expect(clock.pending()).toEqual([]);
  expect(await child.stop(10)).toBe('not-running');
});

test('stop cancels a pending restart and is idempotent', async () => {
  const { clock, child, launched } = await afterFirstCrash();
  await Promise.all([child.stop(100), child.stop(100)]);
  expect(child.state).toEqual({ kind: 'stopped', outcome: 'not-running' });
  expect(clock.pending()).toEqual([]);
  clock.advance(60_000);
  await flush();
  expect(launched).toHaveLength(1);
});

test('stopping a running child stops it once, and a second start throws', async () => {
  const { launch, launched } = fakeLaunch();
  const { child } = supervise({ launch });
  child.start();
  await flush();
  expect(() => child.start()).toThrow('already started');
  expect(await child.stop(100)).toBe('terminated');
  expect(await child.stop(100)).toBe('terminated');
  expect(launched[0]!.stops).toBe(1);
  expect(child.state).toEqual({ kind: 'stopped', outcome: 'terminated' });
});

test('a child that comes up while stopping is stopped at once', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { launch, launched } = fakeLaunch();
  const { child } = supervise({ launch: () => gate.then(launch) });
  child.start();
  const stopped = child.stop(100);
  release();
  expect(await stopped).toBe('not-running');
  await flush();
  expect(launched[0]!.stops).toBe(1);
  expect(child.state.kind).toBe('stopped');
});
