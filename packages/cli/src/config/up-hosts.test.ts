// What `wharf up`'s flags make of the simulated hosts: compiled here, planned by @wharf/platform.
import { hostAddress, planHosts, planRunners } from '@wharf/platform';
import { compileUpConfig } from './up-config';

const compile = (options: Parameters<typeof compileUpConfig>[0] = {}) =>
  compileUpConfig({ home: '/h', capacityMb: '2048', ...options }, {}, '/', { totalMemoryBytes: 2 ** 34 });
const config = compile();
const runners = planRunners(config, {
  zkConnectString: '127.0.0.1:2181',
  runnerEntry: '/s/runner/dist/main.js',
  metricsPorts: [31001, 31002, 31003],
  directorPort: 31500,
});

describe('planHosts', () => {
  it('simulates 3 hosts on their own loopback addresses, one zone each', () => {
    expect(planHosts(config)).toEqual([
      {
        id: 'host-1',
        address: '127.0.0.1',
        zone: 'zone-a',
        roles: ['coordinator', 'proxy', 'allocator', 'director'],
        apiPort: 12400,
        proxyPort: 9200,
        portRange: '20000-20999',
        capacityMb: 2048,
      },
      {
        id: 'host-2',
        address: '127.0.0.2',
        zone: 'zone-b',
        roles: ['coordinator', 'proxy', 'allocator'],
        apiPort: 12400,
        proxyPort: 9201,
        portRange: '21000-21999',
        capacityMb: 2048,
      },
      {
        id: 'host-3',
        address: '127.0.0.3',
        zone: 'zone-c',
        roles: ['allocator'],
        portRange: '22000-22999',
        capacityMb: 2048,
      },
    ]);
  });

  it('adds hosts without an allocator when there are more coordinators or proxies than allocators', () => {
    const hosts = planHosts(compile({ allocators: '1', constructors: '3', proxyPorts: '9200' }));
    expect(hosts.map((h) => [h.id, h.zone, h.roles.join('+')])).toEqual([
      ['host-1', 'zone-a', 'coordinator+proxy+allocator+director'],
      ['host-2', 'zone-b', 'coordinator'],
      ['host-3', 'zone-c', 'coordinator'],
    ]);
    expect(hosts[1]!.portRange).toBeUndefined();
  });

  it('gives host-1 the director role unless --directors 0; hosts 1–3 with --directors 3', () => {
    expect(planHosts(compile({ directors: '0' })).map((h) => h.roles.join('+'))).toEqual([
      'coordinator+proxy+allocator',
      'coordinator+proxy+allocator',
      'allocator',
    ]);
    expect(planHosts(compile({ directors: '3' })).map((h) => h.roles.join('+'))).toEqual([
      'coordinator+proxy+allocator+director',
      'coordinator+proxy+allocator+director',
      'allocator+director',
    ]);
    expect(() => compile({ directors: '2' })).toThrow(/--directors/);
  });

  it('prefixes host ids so two installations can share one Docker engine', () => {
    expect(planHosts(compile({ hostPrefix: 'ci7-' })).map((h) => h.id)).toEqual([
      'ci7-host-1',
      'ci7-host-2',
      'ci7-host-3',
    ]);
  });

  it('gives host n the address 127.0.0.n', () => {
    expect([1, 2, 32].map(hostAddress)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.32']);
  });
});

describe('planRunners', () => {
  it('runs one runner per host with the host facts and the settings its services need', () => {
    const runner = runners[1]!;
    expect(runner).toMatchObject({
      id: 'runner-host-2',
      entry: '/s/runner/dist/main.js',
      metricsPort: 31002,
      healthUrl: 'http://127.0.0.1:31002/health',
      logFile: '/h/logs/runner-host-2.log',
    });
    expect(runner.env).toEqual({
      WHARF_ZK: '127.0.0.1:2181',
      WHARF_HOME: '/h',
      WHARF_LOG_LEVEL: 'info',
      WHARF_RUNNER_MODE: 'process',
      WHARF_HOST_ID: 'host-2',
      WHARF_HOST_ADDRESS: '127.0.0.2',
      WHARF_ZONE: 'zone-b',
      WHARF_RUNNER_METRICS_PORT: '31002',
      WHARF_DOMAIN: 'localhost',
      WHARF_API_PORT: '12400',
      WHARF_PROXY_PORT: '9201',
      WHARF_DIRECTOR_PORT: '31500',
      WHARF_PORT_RANGE: '21000-21999',
      WHARF_PUBLIC_PROXY_URL: 'http://{id}.localhost:9200',
      WHARF_RUNTIME: 'process',
      WHARF_STOP_INSTANCES: 'true',
      WHARF_CAPACITY_MB: '2048',
    });
  });

  it("probes each host's api and proxy on the host's address", () => {
    expect(runners[1]!.probes).toEqual([
      {
        id: 'api-host-2',
        url: 'http://127.0.0.2:12400/api/v1/health',
        logFile: '/h/hosts/host-2/logs/api-host-2.log',
      },
      {
        id: 'proxy-host-2',
        url: 'http://127.0.0.2:9201/_health',
        logFile: '/h/hosts/host-2/logs/proxy-host-2.log',
      },
    ]);
    expect(runners[2]!.probes).toEqual([]);
  });

  it('probes the api over HTTPS in secure mode (its runner starts it with a CA certificate)', () => {
    const secure = planRunners(compile({ secure: true }), {
      zkConnectString: '127.0.0.1:2181',
      runnerEntry: '/s/runner/dist/main.js',
      metricsPorts: [31001, 31002, 31003],
      directorPort: 31500,
      tlsDir: (host) => `/h/hosts/${host}/tls`,
    });
    expect(secure[1]!.probes.map((p) => p.url)).toEqual([
      'https://127.0.0.2:12400/api/v1/health',
      'http://127.0.0.2:9201/_health',
    ]);
  });

  it('passes the mode, the chroot and the CPUs on', () => {
    const docker = planRunners(compile({ mode: 'docker', zkChroot: '/w2', cpus: '1.5' }), {
      zkConnectString: '127.0.0.1:2181',
      runnerEntry: '/r',
      metricsPorts: [1, 2, 3],
      directorPort: 4,
    });
    expect(docker[0]!.env).toMatchObject({
      WHARF_RUNNER_MODE: 'docker',
      WHARF_RUNTIME: 'docker',
      WHARF_ZK_CHROOT: '/w2',
      WHARF_CPUS: '1.5',
    });
  });

  it('needs one metrics port per host', () => {
    expect(() =>
      planRunners(config, { zkConnectString: 'z', runnerEntry: '/r', metricsPorts: [1, 2], directorPort: 3 }),
    ).toThrow(RangeError);
  });
});
