import { isWharfError } from '@wharf/model';
import {
  DEFAULT_CAPACITY_CAP_MB,
  MIN_DEFAULT_CAPACITY_MB,
  compileUpConfig,
  defaultCapacityMb,
  type UpOptions,
} from './up-config';

const GiB = 1024 ** 3;
const host = { totalMemoryBytes: 24 * GiB };
const compile = (options: UpOptions = {}, env: Record<string, string> = {}) =>
  compileUpConfig(options, env, '/work', host);

function validationError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isWharfError(err, 'WHARF_VALIDATION')) return err.message;
    throw err;
  }
  throw new Error('expected a WHARF_VALIDATION error');
}

describe('compileUpConfig', () => {
  it('fills the documented defaults', () => {
    const config = compile();
    expect(config.home).toBe('/work/.wharf');
    expect(config.zk).toEqual({
      connectString: '127.0.0.1:2181',
      embeddable: true,
      embeddedPort: 2181,
      dataDir: '/work/.wharf/zookeeper',
    });
    expect(config.apiPort).toBe(12400);
    expect(config.proxyPorts).toEqual([9200, 9201]);
    expect(config.constructors).toBe(2);
    expect(config.allocators.map((a) => [a.id, a.zone, a.portRange.from, a.portRange.to])).toEqual([
      ['allocator-1', 'zone-a', 20000, 20999],
      ['allocator-2', 'zone-b', 21000, 21999],
      ['allocator-3', 'zone-c', 22000, 22999],
    ]);
    expect(config.allocators.every((a) => a.capacityMb === 4096)).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.startTimeoutMs).toBe(60_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes every setting from the environment, and flags over the environment', () => {
    const env = {
      WHARF_HOME: '/tmp/h',
      WHARF_API_PORT: '3000',
      WHARF_PROXY_PORTS: '3001,3002,3003',
      WHARF_ALLOCATORS: '2',
      WHARF_CONSTRUCTORS: '1',
      WHARF_PORT_BASE: '40000',
      WHARF_CAPACITY_MB: '512',
      WHARF_LOG_LEVEL: 'debug',
    };
    const fromEnv = compile({}, env);
    expect(fromEnv.home).toBe('/tmp/h');
    expect(fromEnv.apiPort).toBe(3000);
    expect(fromEnv.proxyPorts).toEqual([3001, 3002, 3003]);
    expect(fromEnv.constructors).toBe(1);
    expect(fromEnv.allocators.map((a) => `${a.portRange.from}-${a.portRange.to}:${a.capacityMb}`)).toEqual([
      '40000-40999:512',
      '41000-41999:512',
    ]);
    expect(fromEnv.logLevel).toBe('debug');

    const flagged = compile({ apiPort: '4000', home: 'rel', allocators: '4', portsPerAllocator: '10' }, env);
    expect(flagged.apiPort).toBe(4000);
    expect(flagged.home).toBe('/work/rel');
    expect(flagged.allocators.map((a) => a.zone)).toEqual(['zone-a', 'zone-b', 'zone-c', 'zone-a']);
    expect(flagged.allocators[3]!.portRange).toEqual({ from: 40030, to: 40039 });
  });

  it('embeds ZooKeeper on the port of a local WHARF_ZK, or on --zk-port', () => {
    expect(compile({}, { WHARF_ZK: '127.0.0.1:3181' }).zk).toMatchObject({
      connectString: '127.0.0.1:3181',
      embeddable: true,
      embeddedPort: 3181,
    });
    expect(compile({ zkPort: '4181' }, { WHARF_ZK: 'localhost:3181' }).zk).toMatchObject({
      connectString: 'localhost:3181',
      embeddedPort: 4181,
    });
    expect(compile({ zkPort: '4181' }).zk.connectString).toBe('127.0.0.1:4181');
  });

  it('never embeds in place of a remote or multi-server ZooKeeper', () => {
    expect(compile({}, { WHARF_ZK: 'zk1.example:2181' }).zk.embeddable).toBe(false);
    expect(compile({ zk: '127.0.0.1:2181,127.0.0.1:2182' }).zk.embeddable).toBe(false);
  });

  it('rejects bad values, naming the flag or the variable', () => {
    expect(validationError(() => compile({ apiPort: '70000' }))).toMatch(/^--api-port: /);
    expect(validationError(() => compile({}, { WHARF_API_PORT: 'x' }))).toMatch(/^WHARF_API_PORT: /);
    expect(validationError(() => compile({ allocators: '0' }))).toMatch(/--allocators/);
    expect(validationError(() => compile({ proxyPorts: '9200,9200' }))).toMatch(/distinct/);
    expect(validationError(() => compile({ zones: 'Zone_A' }))).toMatch(/not a valid id/);
    expect(validationError(() => compile({ zk: 'no-port' }))).toMatch(/host:port/);
    expect(validationError(() => compile({ logLevel: 'loud' }))).toMatch(/--log-level/);
    expect(validationError(() => compile({}, { WHARF_ZK_CHROOT: 'wharf' }))).toMatch(/WHARF_ZK_CHROOT/);
    expect(validationError(() => compile({ mode: 'vm' }))).toMatch(/^--mode: /);
    expect(validationError(() => compile({}, { WHARF_RUNNER_MODE: 'vm' }))).toMatch(/^WHARF_RUNNER_MODE: /);
    expect(validationError(() => compile({ hostPrefix: 'Bad_' }))).toMatch(/^--host-prefix: /);
  });

  it('runs a director on host-1 and plaintext ZooKeeper unless asked otherwise', () => {
    expect(compile()).toMatchObject({ secure: false, directors: 1, directorPort: 0 });
    expect(compile({ secure: true, directorPort: '12500' })).toMatchObject({
      secure: true,
      directorPort: 12500,
    });
    expect(compile({}, { WHARF_SECURE: '1', WHARF_DIRECTORS: '0' })).toMatchObject({
      secure: true,
      directors: 0,
    });
    expect(() => compile({}, { WHARF_SECURE: 'maybe' })).toThrow(/WHARF_SECURE/);
    expect(() => compile({ directors: '2' })).toThrow(/--directors/);
  });

  it('runs three directors as a ZooKeeper ensemble on hosts of their own, plaintext or secure', () => {
    expect(compile({ directors: '3' }).zk).toMatchObject({ embeddable: true, embeddedPort: 2181 });
    expect(compile({ directors: '3', zkPeerPorts: '12888,13888' }).zk.peerPorts).toEqual({
      quorum: 12888,
      election: 13888,
    });
    expect(() => compile({ directors: '3', zkPeerPorts: '12888' })).toThrow(/--zk-peer-ports/);
    expect(() => compile({ directors: '3', zkPeerPorts: '2181,13888' })).toThrow(/port 2181/);
    expect(() => compile({ directors: '3', allocators: '2' })).toThrow(/as many hosts/);
    expect(compile({ directors: '3', secure: true })).toMatchObject({ directors: 3, secure: true });
    expect(() => compile({ directors: '3', zk: 'zk.example:2181' })).toThrow(/drop --zk/);
    expect(() => compile({ directors: '3', zkPeerPorts: '12888,12400' })).toThrow(/12400/);
  });

  it('runs services as processes unless docker mode is asked for, with unprefixed host ids', () => {
    expect(compile()).toMatchObject({ mode: 'process', hostPrefix: '' });
    expect(compile({}, { WHARF_RUNNER_MODE: 'docker', WHARF_HOST_PREFIX: 'ci-' })).toMatchObject({
      mode: 'docker',
      hostPrefix: 'ci-',
    });
  });

  it('rejects a layout where two listeners share a port', () => {
    expect(validationError(() => compile({ apiPort: '9200' }))).toMatch(/both use port 9200/);
    expect(validationError(() => compile({ zkPort: '12400' }))).toMatch(/both use port 12400/);
  });

  it('rejects allocator port ranges that run past 65535 or contain a listener', () => {
    expect(validationError(() => compile({ portBase: '64000' }))).toMatch(/past 65535/);
    expect(validationError(() => compile({ portBase: '9000' }))).toMatch(
      /allocator-1's port range 9000-9999 contains the proxy-1 port 9200/,
    );
  });

  it('ignores an external ZooKeeper port when checking clashes', () => {
    expect(() => compile({ apiPort: '2181' }, { WHARF_ZK: 'zk.example:2181' })).not.toThrow();
  });
});

describe('defaultCapacityMb', () => {
  it('splits 85% of host RAM between allocators, capped and floored', () => {
    expect(defaultCapacityMb({ totalMemoryBytes: 24 * GiB }, 3)).toBe(DEFAULT_CAPACITY_CAP_MB);
    expect(defaultCapacityMb({ totalMemoryBytes: 4 * GiB }, 3)).toBe(Math.floor((4096 * 0.85) / 3));
    expect(defaultCapacityMb({ totalMemoryBytes: 0.5 * GiB }, 3)).toBe(MIN_DEFAULT_CAPACITY_MB);
  });
});
