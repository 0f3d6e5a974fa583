import { type UpConfig, directorsOwnZooKeeper, fixedPorts } from './config';
import { memberDataDir, planDirectors, planMembers } from './director-plan';
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
    // One director owns ZooKeeper too (a quorum of one): host-1's runner leaves it to the supervisor.
    const one = planRunners({ ...config, directors: 1 }, input);
    expect(one.map((r) => r.env.WHARF_HOST_SERVICES)).toEqual(['director', undefined, undefined]);
    // ... unless a ZooKeeper already answered at start: then the runner runs the director.
    const found = planRunners({ ...config, directors: 1 }, { ...input, directorsOwnZooKeeper: false });
    expect(found.map((r) => r.env.WHARF_HOST_SERVICES)).toEqual([undefined, undefined, undefined]);
    expect(planRunners({ ...config, directors: 0 }, input).map((r) => r.env.WHARF_HOST_SERVICES)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('plans one director as member 1 alone, bootstrapping, in host-1’s home', () => {
    const one = {
      ...config,
      directors: 1,
      zk: { ...config.zk, peerPorts: { quorum: 41001, election: 41002 } },
    };
    const launches = planDirectors(one, { directorPort: 12500 });
    expect(launches).toHaveLength(1);
    expect(launches[0]).toMatchObject({
      id: 'director-host-1',
      dataDir: memberDataDir('/w', 'host-1'),
      env: {
        WHARF_ZK: '127.0.0.1:2181',
        WHARF_DIRECTOR_ZK_JOIN: '',
        WHARF_DIRECTOR_ZK_MEMBER: '1:2181:41001:41002',
      },
    });
    expect(memberDataDir('/w', 'host-1')).toBe('/w/hosts/host-1/director/zookeeper');
  });
});

describe('directorsOwnZooKeeper', () => {
  const remote = { ...config.zk, connectString: 'zk.example:2181', embeddable: false };
  it('is true for three directors, for one unless ZooKeeper is remote, never for none', () => {
    expect(directorsOwnZooKeeper(config)).toBe(true);
    expect(directorsOwnZooKeeper({ directors: 1, zk: config.zk })).toBe(true);
    expect(directorsOwnZooKeeper({ directors: 1, zk: remote })).toBe(false);
    expect(directorsOwnZooKeeper({ directors: 0, zk: config.zk })).toBe(false);
  });

  it('checks fixed peer ports only: three directors, or ports given; one director picks free ones', () => {
    const names = (c: UpConfig) => fixedPorts(c).map((p) => `${p.name} ${p.port}`);
    expect(names(config)).toEqual(
      expect.arrayContaining(['zookeeper quorum 2888', 'zookeeper election 3888']),
    );
    expect(names({ ...config, directors: 1 }).some((n) => n.startsWith('zookeeper quorum'))).toBe(false);
    const given = {
      ...config,
      directors: 1,
      zk: { ...config.zk, peerPorts: { quorum: 41001, election: 41002 } },
    };
    expect(names(given)).toEqual(
      expect.arrayContaining(['zookeeper quorum 41001', 'zookeeper election 41002']),
    );
  });
});
