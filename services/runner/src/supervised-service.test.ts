import { nullLogger } from '@wharf/observability';
import { RESTART_BASE_DELAY_MS } from './backoff';
import { type Clock } from './clock';
import { type LaunchedService, type ServiceExit, type ServiceLauncher } from './launcher';
import { planLaunches } from './roles';
import { SupervisedService } from './supervised-service';

/** A clock whose timers run only when the test says so. */
function manualClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    schedule: (fn, ms) => {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.map((t) => t.at - now) };
}

/** A launcher whose services end when the test calls `crash()`. */
function fakeLauncher() {
  const launched: { pid: number; end: (exit: ServiceExit) => void; stops: number }[] = [];
  const launcher: ServiceLauncher = {
    mode: 'process',
    launch: async () => {
      let end!: (exit: ServiceExit) => void;
      const exited = new Promise<ServiceExit>((resolve) => (end = resolve));
      const entry = { pid: 100 + launched.length, end, stops: 0 };
      launched.push(entry);
      const service: LaunchedService = {
        pid: entry.pid,
        exited,
        stop: async () => {
          entry.stops++;
          end({ code: 0, signal: 'SIGTERM' });
          return 'terminated';
        },
      };
      return service;
    },
  };
  return { launcher, launched };
}

const spec = planLaunches(
  {
    hostId: 'h1',
    address: '127.0.0.1',
    zone: 'z',
    zkConnectString: 'zk',
    zkChroot: '/w',
    home: '/tmp',
    logLevel: 'info',
    domain: 'localhost',
    apiPort: 1,
    proxyPort: 2,
    portRange: '1-2',
  },
  ['proxy'],
)[0]!;

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('a crashed service is relaunched after the back-off, counting restarts', async () => {
  const { clock, advance, pending } = manualClock();
  const { launcher, launched } = fakeLauncher();
  const crashes: ServiceExit[] = [];
  const service = new SupervisedService({
    spec,
    launcher,
    logger: nullLogger,
    clock,
    onChange: () => undefined,
    onCrash: (_s, exit) => crashes.push(exit),
  });
  service.start();
  await flush();
  expect(service.state).toBe('running');
  expect(service.pid).toBe(100);

  launched[0]!.end({ code: 1, signal: null });
  await flush();
  expect(service.state).toBe('backing-off');
  expect(service.pid).toBeUndefined();
  expect(pending()).toEqual([RESTART_BASE_DELAY_MS]);
  expect(crashes).toEqual([{ code: 1, signal: null }]);

  advance(RESTART_BASE_DELAY_MS);
  await flush();
  expect(service.state).toBe('running');
  expect(service.pid).toBe(101);
  expect(service.restarts).toBe(1);

  launched[1]!.end({ code: null, signal: 'SIGKILL' });
  await flush();
  expect(pending()).toEqual([2 * RESTART_BASE_DELAY_MS]);
});

test('stop cancels a pending restart and is idempotent', async () => {
  const { clock, advance, pending } = manualClock();
  const { launcher, launched } = fakeLauncher();
  const service = new SupervisedService({
    spec,
    launcher,
    logger: nullLogger,
    clock,
    onChange: () => undefined,
  });
  service.start();
  await flush();
  launched[0]!.end({ code: 1, signal: null });
  await flush();
  expect(pending()).toHaveLength(1);
  await Promise.all([service.stop(100), service.stop(100)]);
  expect(service.state).toBe('stopped');
  expect(pending()).toHaveLength(0);
  advance(60_000);
  await flush();
  expect(launched).toHaveLength(1);
});

test('stopping a running service stops it once', async () => {
  const { clock } = manualClock();
  const { launcher, launched } = fakeLauncher();
  const service = new SupervisedService({
    spec,
    launcher,
    logger: nullLogger,
    clock,
    onChange: () => undefined,
  });
  service.start();
  await flush();
  expect(await service.stop(100)).toBe('terminated');
  expect(await service.stop(100)).toBe('terminated');
  expect(launched[0]!.stops).toBe(1);
  expect(service.state).toBe('stopped');
});
