import { type UpConfig } from './config';
import { planDirectors, planMembers } from './director-plan';
import { planRunners } from './host-plan';

const config = {
  home: '/w',
  zk: { connectString: '127.0.0.1:2181', embeddable: true, embeddedPort: 2181, dataDir: '/w/zookeeper' },
  apiPort: 12400,
  proxyPorts: [9200, 9201],
  constructors: 2,
  directors: 3,
  directorPort: 0,
  allocators: ['zone-a', 'zone-b', 'zone-c'].map((zone, i) => ({
    id: `allocator-${i + 1}`,
    zone,
    portRange: { from: 20000 + i * 1000, to: 20999 + i * 1000 },
    capacityMb: 1024,
  })),
  zones: ['zone-a', 'zone-b', 'zone-c'],
  metricsPortBase: 0,
  domain: 'localhost',
  logLevel: 'info',
  startTimeoutMs: 60_000,
  stopTimeoutMs: 10_000,
  mode: 'process',
  hostPrefix: '',
  secure: false,
} satisfies UpConfig;

describe('planDirectors', () => {
  it('puts member n on host n at its own address, all on the same ports', () => {
    expect(
      planMembers(config).map((m) => `${m.id} ${m.host}:${m.clientPort}:${m.quorumPort}:${m.electionPort}`),
    ).toEqual(['1 127.0.0.1:2181:2888:3888', '2 127.0.0.2:2181:2888:3888', '3 127.0.0.3:2181:2888:3888']);
  });

  it('bootstraps with director 1; director n joins through the ones before it', () => {
    const launches = planDirectors(config, { directorPort: 12500 });
    expect(launches.map((l) => l.env.WHARF_DIRECTOR_ZK_JOIN)).toEqual([
      '',
      '127.0.0.1:2181',
      '127.0.0.1:2181,127.0.0.2:2181',
    ]);
    expect(launches.map((l) => l.env.WHARF_DIRECTOR_ZK_MEMBER)).toEqual([
      '1:2181:2888:3888',
      '2:2181:2888:3888',
      '3:2181:2888:3888',
    ]);
    expect(launches[1]).toMatchObject({
      id: 'director-host-2',
      home: '/w/hosts/host-2',
      dataDir: '/w/hosts/host-2/director/zookeeper',
      env: { WHARF_ZK: '127.0.0.1:2181,127.0.0.2:2181,127.0.0.3:2181', WHARF_DIRECTOR_HOST: '127.0.0.2' },
    });
  });

  it('in secure mode gives each director its own client and member certificates and the super user', () => {
    const secure = {
      clientDir: (h: string) => `/w/hosts/${h}/tls/director`,
      memberDir: (h: string) => `/w/hosts/${h}/zookeeper-tls`,
      superUser: 'CN=host-1,OU=director,O=Wharf',
    };
    const launches = planDirectors({ ...config, secure: true }, { directorPort: 12500, secure });
    expect(launches[2]!.env).toMatchObject({
      WHARF_ZK_TLS_CA: '/w/hosts/host-3/tls/director/ca.pem',
      WHARF_ZK_TLS_CERT: '/w/hosts/host-3/tls/director/cert.pem',
      WHARF_ZK_TLS_KEY: '/w/hosts/host-3/tls/director/key.pem',
      WHARF_DIRECTOR_ZK_TLS_DIR: '/w/hosts/host-3/zookeeper-tls',
      WHARF_DIRECTOR_ZK_SUPER_USER: 'CN=host-1,OU=director,O=Wharf',
    });
    expect(planDirectors(config, { directorPort: 12500 })[2]!.env.WHARF_DIRECTOR_ZK_TLS_DIR).toBeUndefined();
  });

  it('tells the director hosts’ runners to leave the director alone, and only then', () => {
    const input = { zkConnectString: 'z', runnerEntry: 'r', metricsPorts: [1, 2, 3], directorPort: 5 };
    expect(planRunners(config, input).map((r) => r.env.WHARF_HOST_SERVICES)).toEqual([
      'director',
      'director',
      'director',
    ]);
    const one = planRunners({ ...config, directors: 1 }, input);
    expect(one.map((r) => r.env.WHARF_HOST_SERVICES)).toEqual([undefined, undefined, undefined]);
  });
});
