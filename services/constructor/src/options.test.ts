import { isWharfError } from '@wharf/model';
import { DEFAULT_TIMING, compileConstructorOptions, type ConstructorOptions } from './options';

const base = { zk: {} as ConstructorOptions['zk'], id: 'c-1', stacks: () => undefined };

describe('compileConstructorOptions', () => {
  it('fills defaults and freezes', () => {
    const o = compileConstructorOptions(base);
    expect(o.timing).toEqual(DEFAULT_TIMING);
    expect(o.metricsPort).toBeUndefined();
    expect(o.metrics.service).toBe('constructor');
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.timing)).toBe(true);
  });

  it('overrides single timings', () => {
    expect(compileConstructorOptions({ ...base, timing: { retryMs: 5 } }).timing).toMatchObject({
      retryMs: 5,
      resyncMs: DEFAULT_TIMING.resyncMs,
    });
  });

  it.each([
    [{ id: 'Bad Id' }, 'id'],
    [{ timing: { waitPollMs: 0 } }, 'timing.waitPollMs'],
    [{ metricsPort: 70000 }, 'metricsPort'],
  ])('rejects %j', (override, option) => {
    try {
      compileConstructorOptions({ ...base, ...override });
      throw new Error('expected a failure');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
      expect((err as Error).message).toContain(option);
    }
  });
});
