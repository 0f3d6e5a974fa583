import { installShutdown, type ShutdownProcess } from './shutdown';
import { createTestLogger } from './test-logger';

/** A fake process: `emit(signal)` delivers a signal the way Node does (`once` listeners drop off). */
function fakeProcess() {
  const listeners = new Map<string, { fn: () => void; once: boolean }[]>();
  const exits: number[] = [];
  const add = (signal: string, fn: () => void, once: boolean) => {
    listeners.set(signal, [...(listeners.get(signal) ?? []), { fn, once }]);
  };
  const proc: ShutdownProcess = {
    on: (signal, fn) => add(signal, fn, false),
    once: (signal, fn) => add(signal, fn, true),
    exit: (code) => void exits.push(code),
  };
  /** Returns false when nothing listens (Node would apply the default action). */
  const emit = (signal: string): boolean => {
    const current = listeners.get(signal) ?? [];
    listeners.set(
      signal,
      current.filter((l) => !l.once),
    );
    for (const l of current) l.fn();
    return current.length > 0;
  };
  return { proc, exits, emit };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => jest.useRealTimers());

test('a signal logs once, runs the close chain and exits 0', async () => {
  const fake = fakeProcess();
  const logger = createTestLogger();
  const closed: string[] = [];
  installShutdown({
    logger,
    hardLimitMs: 1000,
    close: async () => void closed.push('closed'),
    process: fake.proc,
  });
  fake.emit('SIGTERM');
  await flush();
  expect(closed).toEqual(['closed']);
  expect(fake.exits).toEqual([0]);
  expect(logger.entries.map((e) => [e.level, e.message, e.meta])).toEqual([
    ['info', 'shutdown requested', { signal: 'SIGTERM' }],
  ]);
});

test('a failing close chain logs the error and exits 1', async () => {
  const fake = fakeProcess();
  const logger = createTestLogger();
  installShutdown({
    logger,
    hardLimitMs: 1000,
    close: () => Promise.reject(new Error('zk gone')),
    process: fake.proc,
  });
  fake.emit('SIGINT');
  await flush();
  expect(fake.exits).toEqual([1]);
  expect(logger.entries[1]).toMatchObject({ level: 'error', message: 'shutdown failed' });
  expect(JSON.stringify(logger.entries[1]!.meta)).toContain('zk gone');
});

test('a close that throws synchronously is a failure too', async () => {
  const fake = fakeProcess();
  installShutdown({
    logger: createTestLogger(),
    hardLimitMs: 1000,
    close: () => {
      throw new Error('boom');
    },
    process: fake.proc,
  });
  fake.emit('SIGTERM');
  await flush();
  expect(fake.exits).toEqual([1]);
});

test('a stuck close chain exits 1 after the hard limit, with the configured line', () => {
  jest.useFakeTimers();
  const fake = fakeProcess();
  const logger = createTestLogger();
  installShutdown({
    logger,
    hardLimitMs: 5000,
    close: () => new Promise<void>(() => undefined),
    process: fake.proc,
    messages: { requested: 'shutting down', timedOut: 'shutdown timed out; exiting' },
  });
  fake.emit('SIGTERM');
  jest.advanceTimersByTime(4999);
  expect(fake.exits).toEqual([]);
  jest.advanceTimersByTime(1);
  expect(fake.exits).toEqual([1]);
  expect(logger.entries.map((e) => [e.message, e.meta])).toEqual([
    ['shutting down', { signal: 'SIGTERM' }],
    ['shutdown timed out; exiting', { timeoutMs: 5000 }],
  ]);
});

test('timedOut: null exits on the hard limit without a line', () => {
  jest.useFakeTimers();
  const fake = fakeProcess();
  const logger = createTestLogger();
  installShutdown({
    logger,
    hardLimitMs: 10,
    close: () => new Promise<void>(() => undefined),
    process: fake.proc,
    messages: { timedOut: null },
  });
  fake.emit('SIGTERM');
  jest.advanceTimersByTime(10);
  expect(fake.exits).toEqual([1]);
  expect(logger.entries).toHaveLength(1);
});

test("repeatSignal 'exit': a second signal exits 1 at once, with the warning when one is set", () => {
  const fake = fakeProcess();
  const logger = createTestLogger();
  const close = jest.fn(() => new Promise<void>(() => undefined));
  installShutdown({
    logger,
    hardLimitMs: 60_000,
    close,
    process: fake.proc,
    messages: { secondSignal: 'second signal; exiting now' },
  });
  fake.emit('SIGTERM');
  expect(fake.emit('SIGTERM')).toBe(true);
  expect(close).toHaveBeenCalledTimes(1);
  expect(fake.exits).toEqual([1]);
  expect(logger.entries[1]).toMatchObject({
    level: 'warn',
    message: 'second signal; exiting now',
    meta: { signal: 'SIGTERM' },
  });
});

test("repeatSignal 'default': the other signal is ignored and the same one is left to Node", () => {
  const fake = fakeProcess();
  const logger = createTestLogger();
  const close = jest.fn(() => new Promise<void>(() => undefined));
  installShutdown({ logger, hardLimitMs: 60_000, close, process: fake.proc, repeatSignal: 'default' });
  fake.emit('SIGINT');
  fake.emit('SIGTERM'); // ignored: already stopping
  expect(fake.emit('SIGINT')).toBe(false); // no listener left: Node's default action applies
  expect(close).toHaveBeenCalledTimes(1);
  expect(fake.exits).toEqual([]);
  expect(logger.entries).toHaveLength(1);
});
