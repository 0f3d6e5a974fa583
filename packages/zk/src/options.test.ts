import { isWharfError } from '@wharf/model';
import {
  DEFAULT_CHROOT,
  DEFAULT_MAX_DATA_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_SESSION_TIMEOUT_MS,
  compileZkOptions,
} from './options';

describe('compileZkOptions', () => {
  test('fills defaults once and freezes', () => {
    const o = compileZkOptions({ connectString: '127.0.0.1:2181' });
    expect(o).toMatchObject({
      connectString: '127.0.0.1:2181',
      chroot: DEFAULT_CHROOT,
      sessionTimeoutMs: DEFAULT_SESSION_TIMEOUT_MS,
      operationTimeoutMs: DEFAULT_OPERATION_TIMEOUT_MS,
      maxDataBytes: DEFAULT_MAX_DATA_BYTES,
    });
    expect(Object.isFrozen(o)).toBe(true);
    expect(typeof o.logger.info).toBe('function');
    expect(typeof o.clock.now()).toBe('number');
  });

  test('normalises the chroot', () => {
    expect(compileZkOptions({ connectString: 'h:1', chroot: '/' }).chroot).toBe('');
    expect(compileZkOptions({ connectString: 'h:1', chroot: '' }).chroot).toBe('');
    expect(compileZkOptions({ connectString: 'h:1', chroot: '/a/b' }).chroot).toBe('/a/b');
  });

  test.each([
    [{ connectString: '' }],
    [{ connectString: 'h:1/chroot' }],
    [{ connectString: 'h:1', chroot: 'relative' }],
    [{ connectString: 'h:1', chroot: '/trailing/' }],
    [{ connectString: 'h:1', sessionTimeoutMs: 10 }],
    [{ connectString: 'h:1', operationTimeoutMs: Number.NaN }],
    [{ connectString: 'h:1', maxDataBytes: 0 }],
  ])('rejects %j', (options) => {
    let err: unknown;
    try {
      compileZkOptions(options);
    } catch (e) {
      err = e;
    }
    expect(isWharfError(err, 'WHARF_VALIDATION', 'WHARF_ZK_ERROR')).toBe(true);
  });
});
