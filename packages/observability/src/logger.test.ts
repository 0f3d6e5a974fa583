import { PassThrough } from 'node:stream';
import { createLogger, isLogLevel, nullLogger, type LogLevel } from './logger';
import { REDACTED } from './redact';
import { createTestLogger } from './test-logger';

/** A logger writing into memory, and the JSON lines it wrote so far. */
function capture(level?: LogLevel, context?: Record<string, unknown>) {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ service: 'allocator', level, stream, context });
  const entries = async (): Promise<Record<string, unknown>[]> => {
    // Winston hands entries to its transports asynchronously.
    await new Promise((resolve) => setImmediate(resolve));
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { logger, entries };
}

describe('createLogger', () => {
  it('writes one JSON line with timestamp, level, service, message and metadata', async () => {
    const { logger, entries } = capture();
    logger.info('instance started', { deployment: 'd1', instance: 'i-0' });
    const [entry] = await entries();
    expect(entry).toEqual({
      level: 'info',
      message: 'instance started',
      service: 'allocator',
      deployment: 'd1',
      instance: 'i-0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('serialises an error passed as metadata with its stack', async () => {
    const { logger, entries } = capture();
    logger.error('plan failed', { err: new Error('no capacity') });
    const [entry] = await entries();
    expect(entry?.err).toMatchObject({
      name: 'Error',
      message: 'no capacity',
      stack: expect.stringContaining('logger.test.ts'),
    });
  });

  it('redacts secrets in metadata, context and child bindings', async () => {
    const { logger, entries } = capture('info', { apiKey: 'ctx-key' });
    logger
      .child({ auth: { password: 'child-pw' } })
      .warn('login refused', { headers: { Authorization: 'Bearer x' } });
    const [entry] = await entries();
    expect(entry).toMatchObject({
      apiKey: REDACTED,
      auth: { password: REDACTED },
      headers: { Authorization: REDACTED },
    });
    expect(JSON.stringify(entry)).not.toMatch(/ctx-key|child-pw|Bearer/);
  });

  it('binds context in children, nested, with call-site metadata winning', async () => {
    const { logger, entries } = capture('info', { host: 'h1' });
    const child = logger.child({ deployment: 'd1', step: 'old' }).child({ step: 'allocate-instances' });
    child.info('step started', { attempt: 2 });
    child.info('step finished', { step: 'overridden' });
    logger.info('parent unchanged');
    const [started, finished, parent] = await entries();
    expect(started).toMatchObject({ host: 'h1', deployment: 'd1', step: 'allocate-instances', attempt: 2 });
    expect(finished).toMatchObject({ step: 'overridden' });
    expect(parent).not.toHaveProperty('deployment');
  });

  it('keeps service, level and message from being overwritten by metadata', async () => {
    const { logger, entries } = capture();
    logger.info('constant message', { service: 'forged', level: 'error', message: 'forged' });
    const [entry] = await entries();
    expect(entry).toMatchObject({ service: 'allocator', level: 'info', message: 'constant message' });
  });

  it('drops entries below the configured level', async () => {
    const { logger, entries } = capture('warn');
    logger.debug('noise');
    logger.info('noise');
    logger.warn('kept');
    expect((await entries()).map((entry) => entry.message)).toEqual(['kept']);
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ service: 'api', level: 'verbose' as LogLevel })).toThrow(TypeError);
  });
});

describe('isLogLevel', () => {
  it('accepts the four levels only', () => {
    expect(['error', 'warn', 'info', 'debug'].every(isLogLevel)).toBe(true);
    expect(isLogLevel('silly')).toBe(false);
    expect(isLogLevel('toString')).toBe(false);
  });
});

describe('createTestLogger', () => {
  it('captures entries from the logger and its children, sanitised', () => {
    const logger = createTestLogger({ service: 'test' });
    logger.debug('debug too');
    logger.child({ deployment: 'd1' }).error('failed', { token: 't', err: new Error('boom') });
    expect(logger.entries).toEqual([
      { level: 'debug', message: 'debug too', meta: { service: 'test' } },
      {
        level: 'error',
        message: 'failed',
        meta: {
          service: 'test',
          deployment: 'd1',
          token: REDACTED,
          err: expect.objectContaining({ message: 'boom' }),
        },
      },
    ]);
    logger.clear();
    expect(logger.entries).toEqual([]);
  });

  it('keeps separate entries per test logger', () => {
    const a = createTestLogger();
    createTestLogger().info('elsewhere');
    expect(a.entries).toHaveLength(0);
  });
});

describe('nullLogger', () => {
  it('accepts every call and returns itself as child', () => {
    expect(() => nullLogger.error('ignored', { err: new Error('x') })).not.toThrow();
    expect(nullLogger.child({ a: 1 })).toBe(nullLogger);
  });
});
