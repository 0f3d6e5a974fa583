import {
  CONSTRUCTOR_HEAP_LIMIT_MB,
  SERVICE_HEAP_LIMIT_MB,
  planLaunches,
  servicesBeside,
  servicesForRoles,
} from './roles';
import { configFromEnv } from './config';

const ctx = {
  hostId: 'h1',
  address: '10.0.0.5',
  zone: 'zone-b',
  zkConnectString: 'zk:2181',
  zkChroot: '/wharf',
  home: '/var/wharf',
  logLevel: 'info',
  domain: 'example.test',
  apiPort: 12400,
  proxyPort: 9200,
  directorPort: 12500,
  portRange: '20000-20099',
};

test('roles map to services; the director starts first', () => {
  expect(servicesForRoles(['coordinator'])).toEqual(['api', 'constructor']);
  expect(servicesForRoles(['proxy', 'allocator', 'director'])).toEqual(['director', 'allocator', 'proxy']);
  expect(servicesForRoles(['director'])).toEqual(['director']);
});

test('the director listens on the host address and keeps its CA in the host home', () => {
  const [director] = planLaunches(ctx, ['director']);
  expect(director).toMatchObject({
    id: 'director-h1',
    port: 12500,
    env: {
      WHARF_ID: 'director-h1',
      WHARF_HOME: '/var/wharf/hosts/h1',
      WHARF_DIRECTOR_HOST: '10.0.0.5',
      WHARF_DIRECTOR_PORT: '12500',
    },
  });
});

test('each service gets the coordination env contract with a per-host home and <svc>-<host> id', () => {
  const [api, constructor, allocator] = planLaunches(ctx, ['coordinator', 'allocator']);
  expect(api).toMatchObject({
    id: 'api-h1',
    port: 12400,
    healthUrl: 'http://10.0.0.5:12400/api/v1/health',
    env: {
      WHARF_ID: 'api-h1',
      WHARF_HOME: '/var/wharf/hosts/h1',
      WHARF_API_HOST: '10.0.0.5',
      WHARF_ZK: 'zk:2181',
    },
  });
  expect(constructor?.env).toMatchObject({ WHARF_ID: 'constructor-h1', WHARF_ZK_CHROOT: '/wharf' });
  expect(allocator?.env).toMatchObject({
    WHARF_ZONE: 'zone-b',
    WHARF_ALLOCATOR_HOST: '10.0.0.5',
    WHARF_PORT_RANGE: '20000-20099',
  });
});

test('every service gets a V8 heap limit (the constructor twice the others); all but the proxy a small young generation (the api 4 MB)', () => {
  const launches = planLaunches(ctx, ['director', 'coordinator', 'allocator', 'proxy']);
  const options = Object.fromEntries(launches.map((l) => [l.service, l.env.NODE_OPTIONS]));
  const heap = `--max-old-space-size=${SERVICE_HEAP_LIMIT_MB}`;
  expect(options).toEqual({
    director: `--max-semi-space-size=1 ${heap}`,
    api: `--max-semi-space-size=4 ${heap}`,
    constructor: `--max-semi-space-size=1 --max-old-space-size=${CONSTRUCTOR_HEAP_LIMIT_MB}`,
    allocator: `--max-semi-space-size=1 ${heap}`,
    proxy: heap,
  });
});

test('config: flags override variables; roles need a token; bad values are all reported', () => {
  const config = configFromEnv({ WHARF_ZONE: 'zone-a' }, [
    '--zone',
    'zone-c',
    '--host-id=h9',
    '--token',
    't',
    '--roles',
    'proxy,allocator',
  ]);
  expect(config).toMatchObject({ zone: 'zone-c', hostId: 'h9', token: 't', roles: ['proxy', 'allocator'] });
  expect(() => configFromEnv({}, ['--roles', 'proxy'])).toThrow('invalid runner configuration');
  try {
    configFromEnv({ WHARF_ZONE: 'Bad Zone', WHARF_ROLES_TOKEN: 't', WHARF_ROLES: 'proxy,chef' }, []);
  } catch (err) {
    expect((err as { details: { path: string }[] }).details.map((d) => d.path)).toEqual([
      'WHARF_ZONE',
      'WHARF_ROLES',
    ]);
  }
});

test('config: bootstrap roles for a first host, never together with a token', () => {
  expect(configFromEnv({}, ['--bootstrap-roles', 'coordinator,proxy,coordinator'])).toMatchObject({
    bootstrapRoles: ['coordinator', 'proxy'],
    token: undefined,
  });
  expect(configFromEnv({}, []).bootstrapRoles).toEqual([]);
  const paths = (env: Record<string, string>, argv: string[] = []) => {
    try {
      configFromEnv(env, argv);
    } catch (err) {
      return (err as { details: { path: string }[] }).details.map((d) => d.path);
    }
    return [];
  };
  expect(paths({ WHARF_BOOTSTRAP_ROLES: 'chef' })).toEqual(['WHARF_BOOTSTRAP_ROLES']);
  expect(paths({ WHARF_ROLES_TOKEN: 't' }, ['--bootstrap-roles', 'proxy'])).toEqual([
    'WHARF_BOOTSTRAP_ROLES',
  ]);
});

test('secure mode: each service gets its own certificate, none without a TLS directory', () => {
  const specs = planLaunches({ ...ctx, tlsDir: '/var/wharf/tls' }, ['coordinator', 'proxy']);
  expect(specs.map((s) => [s.service, s.env.WHARF_ZK_TLS_CERT, s.env.WHARF_ZK_TLS_KEY])).toEqual([
    ['api', '/var/wharf/tls/api/cert.pem', '/var/wharf/tls/api/key.pem'],
    ['constructor', '/var/wharf/tls/constructor/cert.pem', '/var/wharf/tls/constructor/key.pem'],
    ['proxy', '/var/wharf/tls/proxy/cert.pem', '/var/wharf/tls/proxy/key.pem'],
  ]);
  expect(specs[0]!.env.WHARF_ZK_TLS_CA).toBe('/var/wharf/tls/api/ca.pem');
  expect(planLaunches(ctx, ['proxy'])[0]!.env.WHARF_ZK_TLS_CERT).toBeUndefined();
});

test('a service the host runs itself (WHARF_HOST_SERVICES) is not planned by the runner', () => {
  const config = configFromEnv({ WHARF_HOST_SERVICES: 'director' }, [], 'h');
  const specs = planLaunches({ ...config, home: '/w' }, ['director', 'coordinator']);
  expect(specs.map((s) => s.service)).toEqual(['api', 'constructor']);
  // ... but listed as beside it (the live node), with the id it would have had, while the role lasts.
  expect(servicesBeside(config, ['director', 'coordinator'])).toEqual([
    { service: 'director', id: 'director-h' },
  ]);
  expect(servicesBeside(config, ['coordinator'])).toEqual([]);
  expect(servicesBeside(ctx, ['director'])).toEqual([]);
});

test('secure mode with an api server certificate: the api serves HTTPS with it, its health URL is https://', () => {
  const secure = { ...ctx, tlsDir: '/var/wharf/tls', apiTlsDir: '/var/wharf/tls/api-https' };
  const [api, constructor] = planLaunches(secure, ['coordinator']);
  expect(api!.env).toMatchObject({
    WHARF_API_TLS_CERT: '/var/wharf/tls/api-https/cert.pem',
    WHARF_API_TLS_KEY: '/var/wharf/tls/api-https/key.pem',
    // Its ZooKeeper identity stays the api's client certificate.
    WHARF_ZK_TLS_CERT: '/var/wharf/tls/api/cert.pem',
  });
  expect(api!.healthUrl).toBe('https://10.0.0.5:12400/api/v1/health');
  expect(constructor!.env.WHARF_API_TLS_CERT).toBeUndefined();
  // Plain mode, and a secure host enrolled without an api certificate: plain HTTP as before.
  for (const plain of [ctx, { ...ctx, tlsDir: '/var/wharf/tls' }]) {
    const [http] = planLaunches(plain, ['coordinator']);
    expect(http!.env.WHARF_API_TLS_CERT).toBeUndefined();
    expect(http!.env.WHARF_API_TLS_KEY).toBeUndefined();
    expect(http!.healthUrl).toBe('http://10.0.0.5:12400/api/v1/health');
  }
});
