import { isWharfError } from '@wharf/model';
import { configFromEnv, constructorEnv, helpText } from './config';

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
      allocatorLossGraceMs: 1_000,
      drainMs: 2_000,
      groupCommit: false,
      allocatorRecoverGraceMs: 10_000,
      heartbeatIntervalMs: 10_000,
      heartbeatFlushMs: 60_000,
      meteringTickMs: 60_000,
      meteringRetentionDays: 400,
      notifierTickMs: 1_000,
      deadLetterRetentionDays: 30,
      unavailableAlertMs: 60_000,
      leaderSessionTimeoutMs: 2_000,
      leaderWorker: true,
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
        WHARF_ALLOCATOR_RECOVER_GRACE_MS: '0',
        WHARF_LEADER_SESSION_TIMEOUT_MS: '4000',
        WHARF_CONSTRUCTOR_GROUP_COMMIT: 'on',
        WHARF_CONSTRUCTOR_LEADER_WORKER: 'off',
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
      allocatorRecoverGraceMs: 0,
      leaderSessionTimeoutMs: 4_000,
      groupCommit: true,
      leaderWorker: false,
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
          WHARF_ALLOCATOR_RECOVER_GRACE_MS: '-1',
          WHARF_LEADER_SESSION_TIMEOUT_MS: '100',
          WHARF_ZK: 'h:1/chroot',
        },
        HOST,
      );
      throw new Error('expected a failure');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
      const variables = (err as { details: { variable: string }[] }).details.map((d) => d.variable);
      expect(variables.sort()).toEqual([
        'WHARF_ALLOCATOR_LOSS_GRACE_MS',
        'WHARF_ALLOCATOR_RECOVER_GRACE_MS',
        'WHARF_ID',
        'WHARF_LEADER_SESSION_TIMEOUT_MS',
        'WHARF_LOG_LEVEL',
        'WHARF_METRICS_PORT',
        'WHARF_ZK',
      ]);
    }
  });

  it('prints every variable in --help', () => {
    const text = helpText();
    for (const v of Object.values(constructorEnv(HOST))) expect(text).toContain(v.name);
    expect(text).toContain('constructor-<hostname>-<pid>');
  });
});
