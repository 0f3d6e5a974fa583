import { configFromEnv } from './config';

const BASE = { WHARF_ZK: '127.0.0.1:2181', WHARF_HOST_ID: 'h1' };
const ROLES_REFUSED = expect.objectContaining({
  details: expect.arrayContaining([expect.objectContaining({ variable: 'WHARF_ROLES' })]),
});

describe('runner configuration: how a host registers', () => {
  test('roles without a token are certified roles: only with a TLS directory', () => {
    expect(configFromEnv({ ...BASE, WHARF_ROLES: 'proxy', WHARF_TLS_DIR: '/tls' }, [])).toMatchObject({
      roles: ['proxy'],
      token: undefined,
      tlsDir: '/tls',
    });
    expect(() => configFromEnv({ ...BASE, WHARF_ROLES: 'proxy' }, [])).toThrow(ROLES_REFUSED);
  });

  test('certified and bootstrap roles exclude each other', () => {
    const env = {
      ...BASE,
      WHARF_ROLES: 'proxy',
      WHARF_BOOTSTRAP_ROLES: 'coordinator',
      WHARF_TLS_DIR: '/tls',
    };
    expect(() => configFromEnv(env, [])).toThrow(ROLES_REFUSED);
  });
});
