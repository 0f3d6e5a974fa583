import { isValidId, isWharfError } from '@wharf/model';
import { envParsers as p } from './env-parsers';
import { EnvValueError, configFromEnv, defaultId, renderHelp, type EnvTable } from './service-config';

interface Demo {
  port: number;
  level: string;
  mode: 'a' | 'b';
  note: string;
}

const TABLE: EnvTable<Demo> = {
  port: { name: 'DEMO_PORT', default: '80', description: 'port', parse: p.port },
  level: { name: 'DEMO_LEVEL', default: 'info', description: 'level', parse: p.logLevel },
  mode: { name: 'DEMO_MODE', default: 'a', description: 'mode', parse: p.oneOf(['a', 'b'] as const) },
  note: { name: 'DEMO_NOTE', default: '', shownDefault: '<none>', description: 'a note', parse: p.text },
};

describe('configFromEnv', () => {
  test('defaults for unset and blank variables, trimmed values, a frozen result', () => {
    const config = configFromEnv(TABLE, { DEMO_PORT: ' 8080 ', DEMO_MODE: '  ' }, 'demo configuration');
    expect(config).toEqual({ port: 8080, level: 'info', mode: 'a', note: '' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('every bad variable at once, named in the message and the details', () => {
    let err: unknown;
    try {
      configFromEnv(TABLE, { DEMO_PORT: '70000', DEMO_LEVEL: 'loud', DEMO_MODE: 'c' }, 'demo configuration');
    } catch (e) {
      err = e;
    }
    expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
    expect((err as Error).message).toBe('invalid demo configuration: DEMO_PORT: must be an integer 0-65535');
    expect((err as { details: unknown }).details).toEqual([
      { path: 'DEMO_PORT', variable: 'DEMO_PORT', message: 'must be an integer 0-65535' },
      { path: 'DEMO_LEVEL', variable: 'DEMO_LEVEL', message: 'unknown level' },
      { path: 'DEMO_MODE', variable: 'DEMO_MODE', message: 'must be one of a, b' },
    ]);
  });

  test('a parser bug is not reported as a bad variable', () => {
    const table: EnvTable<{ x: number }> = {
      x: {
        name: 'X',
        default: '1',
        description: 'x',
        parse: () => {
          throw new TypeError('bug');
        },
      },
    };
    expect(() => configFromEnv(table, {}, 'x')).toThrow(TypeError);
    expect(new EnvValueError('m')).toBeInstanceOf(Error);
  });
});

describe('renderHelp', () => {
  test('title, usage, every variable with its (shown) default, notes', () => {
    const text = renderHelp(TABLE, { title: 'demo: does things', usage: ['Usage: demo'], notes: ['GET /x'] });
    expect(text.split('\n')).toEqual([
      'demo: does things',
      '',
      'Usage: demo',
      '',
      'Environment:',
      '  DEMO_PORT   port (default: 80)',
      '  DEMO_LEVEL  level (default: info)',
      '  DEMO_MODE   mode (default: a)',
      '  DEMO_NOTE   a note (default: <none>)',
      '',
      'GET /x',
      '',
    ]);
  });
});

describe('defaultId', () => {
  test('prefix, host and pid in the id alphabet; the pid survives long host names', () => {
    expect(defaultId({ prefix: 'allocator', hostname: '--Weird__Host--', pid: 7 })).toBe(
      'allocator-weird-host-7',
    );
    const long = defaultId({ prefix: 'api', hostname: 'h'.repeat(80), pid: 123456 });
    expect(long).toMatch(/^api-h+-123456$/);
    expect(long).toHaveLength(63);
    expect(defaultId({ hostname: 'Build_Box.example.com' })).toBe('build-box-example-com');
    expect(defaultId({ prefix: 'proxy', hostname: '---', pid: 1 })).toBe('proxy-host-1');
    for (const hostname of ['-'.repeat(10), 'a'.repeat(200), 'É.ü', '']) {
      expect(isValidId(defaultId({ prefix: 'constructor', hostname, pid: 123456 }))).toBe(true);
    }
  });
});
