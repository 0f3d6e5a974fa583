import { isValidId, isWharfError } from '@wharf/model';
import { CONSTRUCTOR_ENV, configFromEnv, defaultId, helpText } from './config';

const HOST = { hostname: 'Build_Box.example.com', pid: 42 };

describe('configFromEnv', () => {
  it('fills the documented defaults', () => {
    expect(configFromEnv({}, HOST)).toEqual({
      zkConnectString: '127.0.0.1:2181',
      zkChroot: '/wharf',
      home: './.wharf',
      logLevel: 'info',
      id: 'constructor-build-box-example-com-42',
      metricsPort: 0,
      allocatorLossGraceMs: 15_000,
    });
  });

  it('reads every variable', () => {
    const config = configFromEnv(
      {
        WHARF_ZK: 'zk1:2181,zk2:2181',
        WHARF_ZK_CHROOT: '/x',
        WHARF_HOME: '/h',
        WHARF_LOG_LEVEL: 'debug',
        WHARF_ID: 'c-1',
        WHARF_METRICS_PORT: '9100',
        WHARF_ALLOCATOR_LOSS_GRACE_MS: '60000',
      },
      HOST,
    );
    expect(config).toMatchObject({
      zkConnectString: 'zk1:2181,zk2:2181',
      zkChroot: '/x',
      home: '/h',
      logLevel: 'debug',
      id: 'c-1',
      metricsPort: 9100,
      allocatorLossGraceMs: 60_000,
    });
  });

  it('lists every bad variable at once', () => {
    try {
      configFromEnv(
        {
          WHARF_LOG_LEVEL: 'loud',
          WHARF_ID: 'Not An Id',
          WHARF_METRICS_PORT: '70000',
          WHARF_ALLOCATOR_LOSS_GRACE_MS: '0',
          WHARF_ZK: 'h:1/chroot',
        },
        HOST,
      );
      throw new Error('expected a failure');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
      const variables = (err as { details: { variable: string }[] }).details.map((d) => d.variable);
      expect(variables).toEqual([
        'WHARF_LOG_LEVEL',
        'WHARF_ID',
        'WHARF_METRICS_PORT',
        'WHARF_ALLOCATOR_LOSS_GRACE_MS',
        'WHARF_ZK',
      ]);
    }
  });

  it('makes a valid default id from any host name', () => {
    expect(isValidId(defaultId('-'.repeat(10), 1))).toBe(true);
    expect(isValidId(defaultId('a'.repeat(200), 123456))).toBe(true);
  });

  it('prints every variable in --help', () => {
    const text = helpText();
    for (const v of CONSTRUCTOR_ENV) expect(text).toContain(v.name);
  });
});
