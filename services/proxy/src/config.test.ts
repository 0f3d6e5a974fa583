import { isWharfError } from '@wharf/model';
import { configFromEnv, defaultId, helpText } from './config';

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
    });
  });

  it('reports every bad variable at once', () => {
    try {
      configFromEnv(
        { WHARF_ID: 'Bad_Id', WHARF_PROXY_PORT: '70000', WHARF_ZONE: 'z z', WHARF_LOG_LEVEL: 'loud' },
        1,
      );
      throw new Error('expected a throw');
    } catch (err) {
      expect(isWharfError(err, 'WHARF_VALIDATION')).toBe(true);
      const details = (err as { details: { variable: string }[] }).details.map((d) => d.variable);
      expect(details.sort()).toEqual(['WHARF_ID', 'WHARF_LOG_LEVEL', 'WHARF_PROXY_PORT', 'WHARF_ZONE']);
    }
  });

  it('derives a valid default id and documents every variable', () => {
    expect(defaultId(123)).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
    for (const name of ['WHARF_ZK', 'WHARF_PROXY_PORT', 'WHARF_DOMAIN', 'WHARF_ZONE', 'WHARF_ID']) {
      expect(helpText()).toContain(name);
    }
  });
});
