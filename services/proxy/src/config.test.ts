import { availableParallelism } from 'node:os';
import { isWharfError } from '@wharf/model';
import { isValidId } from '@wharf/model';
import { MAX_AUTO_WORKERS, configFromEnv, helpText, parseWorkers } from './config';

describe('configFromEnv', () => {
  it('fills the documented defaults', () => {
    const config = configFromEnv({}, 42);
    expect(config).toMatchObject({
      zkConnectString: '127.0.0.1:2181',
      zkChroot: '/wharf',
      logLevel: 'info',
      host: '127.0.0.1',
      port: 9200,
      domain: 'localhost',
      zone: 'zone-a',
      workers: 1,
    });
    expect(config.id).toMatch(/^proxy-.*-42$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = configFromEnv(
      {
        WHARF_ZK: '10.0.0.1:2181',
        WHARF_ZK_CHROOT: '/w2',
        WHARF_LOG_LEVEL: 'debug',
        WHARF_ID: 'proxy-1',
        WHARF_PROXY_HOST: '0.0.0.0',
        WHARF_PROXY_PORT: '0',
        WHARF_DOMAIN: 'Wharf.Example.com.',
        WHARF_ZONE: 'zone-b',
        WHARF_PROXY_WORKERS: '3',
        WHARF_PROXY_TRAFFIC_FLUSH_MS: '0',
      },
      1,
    );
    expect(config).toEqual({
      zkConnectString: '10.0.0.1:2181',
      zkChroot: '/w2',
      logLevel: 'debug',
      id: 'proxy-1',
      host: '0.0.0.0',
      port: 0,
      domain: 'wharf.example.com',
      zone: 'zone-b',
      workers: 3,
      tlsPort: 9243,
      tlsCertFile: '',
      tlsKeyFile: '',
      tlsCaDir: '',
      trafficFlushMs: 0,
      dataPlane: 'node',
      haproxyBin: '/usr/sbin/haproxy',
      haproxySlots: 256,
      haproxyThreads: availableParallelism(),
    });
  });

  it('reads the HAProxy data plane settings and refuses it with workers', () => {
    const config = configFromEnv({ WHARF_PROXY_DATAPLANE: 'HAProxy', WHARF_PROXY_HAPROXY_SLOTS: '10' }, 1, 4);
    expect(config).toMatchObject({ dataPlane: 'haproxy', haproxySlots: 10, haproxyThreads: 4 });
    expect(() => configFromEnv({ WHARF_PROXY_DATAPLANE: 'envoy' }, 1)).toThrow(/WHARF_PROXY_DATAPLANE/);
    expect(() => configFromEnv({ WHARF_PROXY_DATAPLANE: 'haproxy', WHARF_PROXY_WORKERS: '2' }, 1)).toThrow(
      /proxy configuration/,
    );
  });

  it('reads the TLS port and certificate source, one source at a time', () => {
    const files = configFromEnv(
      { WHARF_PROXY_TLS_PORT: '8443', WHARF_PROXY_TLS_CERT: '/c.pem', WHARF_PROXY_TLS_KEY: '/k.pem' },
      1,
    );
    expect(files).toMatchObject({ tlsPort: 8443, tlsCertFile: '/c.pem', tlsKeyFile: '/k.pem' });
    expect(configFromEnv({ WHARF_PROXY_TLS_CA_DIR: '/home/ca' }, 1).tlsCaDir).toBe('/home/ca');
    const variableOf = (env: Record<string, string>): string => {
      try {
        configFromEnv(env, 1);
      } catch (err) {
        expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
        return (err as { details: { variable: string }[] }).details[0]!.variable;
      }
      throw new Error('expected a throw');
    };
    expect(variableOf({ WHARF_PROXY_TLS_CERT: '/c.pem' })).toBe('WHARF_PROXY_TLS_KEY');
    expect(variableOf({ WHARF_PROXY_TLS_KEY: '/k.pem' })).toBe('WHARF_PROXY_TLS_CERT');
    expect(
      variableOf({ WHARF_PROXY_TLS_CERT: '/c', WHARF_PROXY_TLS_KEY: '/k', WHARF_PROXY_TLS_CA_DIR: '/ca' }),
    ).toBe('WHARF_PROXY_TLS_CA_DIR');
  });

  it('runs one worker per core with auto, capped', () => {
    expect(configFromEnv({ WHARF_PROXY_WORKERS: 'auto' }, 1, 1).workers).toBe(1);
    expect(configFromEnv({ WHARF_PROXY_WORKERS: 'AUTO' }, 1, 2).workers).toBe(2);
    expect(configFromEnv({ WHARF_PROXY_WORKERS: 'auto' }, 1, 16).workers).toBe(MAX_AUTO_WORKERS);
    expect(parseWorkers('8', 2)).toBe(8);
    expect(parseWorkers('0', 2)).toBeUndefined();
    expect(parseWorkers('1.5', 2)).toBeUndefined();
    expect(parseWorkers('many', 2)).toBeUndefined();
  });

  it('reports every bad variable at once', () => {
    try {
      configFromEnv(
        {
          WHARF_ID: 'Bad_Id',
          WHARF_PROXY_PORT: '70000',
          WHARF_ZONE: 'z z',
          WHARF_LOG_LEVEL: 'loud',
          WHARF_PROXY_WORKERS: '0',
        },
        1,
      );
      throw new Error('expected a throw');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
      const details = (err as { details: { variable: string }[] }).details.map((d) => d.variable);
      expect(details.sort()).toEqual([
        'WHARF_ID',
        'WHARF_LOG_LEVEL',
        'WHARF_PROXY_PORT',
        'WHARF_PROXY_WORKERS',
        'WHARF_ZONE',
      ]);
    }
  });

  it('derives a valid default id and documents every variable', () => {
    expect(isValidId(configFromEnv({}, 123).id)).toBe(true);
    for (const name of [
      'WHARF_ZK',
      'WHARF_PROXY_PORT',
      'WHARF_DOMAIN',
      'WHARF_ZONE',
      'WHARF_ID',
      'WHARF_PROXY_WORKERS',
      'WHARF_PROXY_TLS_PORT',
      'WHARF_PROXY_TLS_CERT',
      'WHARF_PROXY_TLS_CA_DIR',
    ]) {
      expect(helpText()).toContain(name);
    }
  });
});
