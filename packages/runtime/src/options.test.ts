import { isWharfError } from '@wharf/model';
import { compileProcessRuntimeOptions, DEFAULT_INSTANCE_PATH, DEFAULT_STOP_TIMEOUT_MS } from './options';

describe('compileProcessRuntimeOptions', () => {
  it('fills defaults and freezes', () => {
    const options = compileProcessRuntimeOptions({ rootDir: '/var/lib/wharf/runtime' });
    expect(options.path).toBe(DEFAULT_INSTANCE_PATH);
    expect(options.stopTimeoutMs).toBe(DEFAULT_STOP_TIMEOUT_MS);
    expect(Object.isFrozen(options)).toBe(true);
  });
  it.each(['relative', '/a/../b', ''])('refuses root %j', (rootDir) => {
    expect(() => compileProcessRuntimeOptions({ rootDir })).toThrow(
      expect.objectContaining({ code: 'WHARF_RUNTIME_ERROR' }),
    );
  });
  it('refuses a negative stop timeout', () => {
    try {
      compileProcessRuntimeOptions({ rootDir: '/x', stopTimeoutMs: -1 });
      throw new Error('no error');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_RUNTIME_ERROR')).toBe(true);
    }
  });
});
