import { isWharfError } from '@wharf/model';
import { type InstanceContext, type MemberEndpoint } from '../types';
import { createEtcdPack } from './pack';
import {
  BOOTSTRAP_STAGGER_MS,
  PROCESS_BOOTSTRAP_STAGGER_MS,
  bootstrapDelayMs,
  etcdClusterToken,
  initialClusterOf,
  parseEtcdSettings,
  quotaBackendBytes,
  renderEtcdArgv,
} from './config';

const members: MemberEndpoint[] = [
  { name: 'd1-main-0', host: '127.0.0.1', ports: { client: 20001, peer: 20002 } },
  { name: 'd1-main-1', host: '127.0.0.1', ports: { client: 20011, peer: 20012 } },
  { name: 'd1-main-2', host: '127.0.0.2', ports: { client: 20021, peer: 20022 } },
];

const ctx = (over: Partial<InstanceContext> = {}): InstanceContext => ({
  instanceId: 'd1-main-1',
  deploymentId: 'd1',
  version: '3.4',
  host: '127.0.0.1',
  ports: { client: 20011, peer: 20012 },
  dataDir: '/var/lib/wharf/d1-main-1/data',
  memoryMb: 1024,
  settings: {},
  cluster: { token: 'wharf-d1-a1', state: 'new', members },
  ...over,
});

const flag = (argv: string[], name: string): string | undefined =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('renderEtcdArgv', () => {
  it('renders a new-cluster member', () => {
    const argv = renderEtcdArgv(ctx());
    expect(argv[0]).toBe('/usr/bin/etcd');
    expect(flag(argv, 'name')).toBe('d1-main-1');
    expect(flag(argv, 'data-dir')).toBe('/var/lib/wharf/d1-main-1/data');
    expect(flag(argv, 'listen-client-urls')).toBe('http://127.0.0.1:20011');
    expect(flag(argv, 'advertise-client-urls')).toBe('http://127.0.0.1:20011');
    expect(flag(argv, 'listen-peer-urls')).toBe('http://127.0.0.1:20012');
    expect(flag(argv, 'initial-advertise-peer-urls')).toBe('http://127.0.0.1:20012');
    expect(flag(argv, 'initial-cluster')).toBe(
      'd1-main-0=http://127.0.0.1:20002,d1-main-1=http://127.0.0.1:20012,d1-main-2=http://127.0.0.2:20022',
    );
    expect(flag(argv, 'initial-cluster-state')).toBe('new');
    expect(flag(argv, 'initial-cluster-token')).toBe('wharf-d1-a1');
    expect(flag(argv, 'heartbeat-interval')).toBe('100');
    expect(flag(argv, 'election-timeout')).toBe('1000');
    expect(flag(argv, 'quota-backend-bytes')).toBe(String(512 * 1_048_576));
    // Every item is one argument: nothing is ever handed to a shell.
    expect(argv.every((a) => !a.includes(' '))).toBe(true);
  });

  it('renders a joining member with the full member list and state existing', () => {
    const joiner: MemberEndpoint = {
      name: 'd1-main-3',
      host: '127.0.0.1',
      ports: { client: 20031, peer: 20032 },
    };
    const pack = createEtcdPack();
    const cluster = pack.joining({ token: 'wharf-d1-a1', state: 'new', members }, joiner);
    const argv = renderEtcdArgv(
      ctx({
        instanceId: 'd1-main-3',
        ports: joiner.ports,
        dataDir: '/var/lib/wharf/d1-main-3/data',
        cluster,
      }),
    );
    expect(flag(argv, 'initial-cluster-state')).toBe('existing');
    expect(flag(argv, 'initial-cluster')).toBe(
      'd1-main-0=http://127.0.0.1:20002,d1-main-1=http://127.0.0.1:20012,d1-main-2=http://127.0.0.2:20022,d1-main-3=http://127.0.0.1:20032',
    );
  });

  it('listens on the bind host and advertises the host', () => {
    const argv = renderEtcdArgv(ctx({ bindHost: '0.0.0.0' }));
    expect(flag(argv, 'listen-client-urls')).toBe('http://0.0.0.0:20011');
    expect(flag(argv, 'advertise-client-urls')).toBe('http://127.0.0.1:20011');
  });

  it('applies tuning settings', () => {
    const argv = renderEtcdArgv(
      ctx({
        settings: {
          heartbeat_interval_ms: 50,
          election_timeout_ms: 500,
          quota_backend_mb: 128,
          log_level: 'warn',
        },
      }),
    );
    expect(flag(argv, 'heartbeat-interval')).toBe('50');
    expect(flag(argv, 'election-timeout')).toBe('500');
    expect(flag(argv, 'quota-backend-bytes')).toBe(String(128 * 1_048_576));
    expect(flag(argv, 'log-level')).toBe('warn');
  });

  it.each([
    ['an unsupported version', { version: '2.3' }, 'WHARF_STACK_ERROR'],
    ['an instance missing from its members', { instanceId: 'd1-main-9' }, 'WHARF_STACK_ERROR'],
    [
      'a peer port that disagrees with the member list',
      { ports: { client: 20011, peer: 29999 } },
      'WHARF_STACK_ERROR',
    ],
    ['a missing client port', { ports: { peer: 20012 } }, 'WHARF_STACK_ERROR'],
    ['an instance id that is not an id', { instanceId: 'a,b=c' }, 'WHARF_INVALID_ID'],
    ['a host with a slash', { host: '127.0.0.1/x' }, 'WHARF_STACK_ERROR'],
  ])('refuses %s', (_label, over, code) => {
    let caught: unknown;
    try {
      renderEtcdArgv(ctx(over as Partial<InstanceContext>));
    } catch (err) {
      caught = err;
    }
    expect(isWharfError(caught) && caught.code).toBe(code);
  });

  it('puts the same argv in an image command', () => {
    const command = createEtcdPack({ binary: '/opt/etcd/bin/etcd' }).command(ctx());
    expect(command.image).toBe('wharf/etcd:3.4');
    expect(command.argv[0]).toBe('/opt/etcd/bin/etcd');
    expect(command.env).toEqual({});
  });
});

describe('etcd settings', () => {
  it.each([
    [{ unknown_key: 1 }],
    [{ heartbeat_interval_ms: 'fast' }],
    [{ heartbeat_interval_ms: 100, election_timeout_ms: 400 }],
    [{ quota_backend_mb: 1_000_000 }],
    [{ log_level: 'verbose' }],
    [{ bootstrap_stagger_ms: -1 }],
    [{ bootstrap_stagger_ms: 5_000 }],
    [{ authentication: 'yes' }],
  ])('refuses %j with WHARF_VALIDATION', (settings) => {
    expect(() => parseEtcdSettings(settings)).toThrow(expect.objectContaining({ code: 'WHARF_VALIDATION' }));
  });

  it('has client authentication on unless a plan says false', () => {
    expect(parseEtcdSettings({}).authentication).toBe(true);
    expect(parseEtcdSettings({ authentication: true }).authentication).toBe(true);
    expect(parseEtcdSettings({ authentication: false }).authentication).toBe(false);
  });

  it('derives the backend quota from memory within bounds', () => {
    expect(quotaBackendBytes(1024)).toBe(512 * 1_048_576);
    expect(quotaBackendBytes(32)).toBe(64 * 1_048_576);
    expect(quotaBackendBytes(1_000_000)).toBe(8192 * 1_048_576);
    expect(quotaBackendBytes(1024, 100)).toBe(100 * 1_048_576);
  });
});

describe('bootstrap start order', () => {
  const pack = createEtcdPack();
  const docker = { runtime: 'docker' as const };

  it('staggers a new cluster by rank in the member list', () => {
    const first = { instanceId: 'd1-main-0', ports: members[0]!.ports };
    const third = { instanceId: 'd1-main-2', host: '127.0.0.2', ports: members[2]!.ports };
    expect(pack.command(ctx({ ...first, ...docker })).startDelayMs).toBeUndefined();
    expect(pack.command(ctx(docker)).startDelayMs).toBe(BOOTSTRAP_STAGGER_MS);
    expect(pack.command(ctx({ ...third, ...docker })).startDelayMs).toBe(2 * BOOTSTRAP_STAGGER_MS);
  });

  it('uses the shorter offset for process instances or an unknown runtime', () => {
    expect(pack.command(ctx({ runtime: 'process' })).startDelayMs).toBe(PROCESS_BOOTSTRAP_STAGGER_MS);
    expect(pack.command(ctx()).startDelayMs).toBe(PROCESS_BOOTSTRAP_STAGGER_MS);
  });

  it('starts a joining member at once, and honours bootstrap_stagger_ms', () => {
    const existing = { token: 'wharf-d1-a1', state: 'existing' as const, members };
    expect(pack.command(ctx({ ...docker, cluster: existing })).startDelayMs).toBeUndefined();
    expect(
      pack.command(ctx({ ...docker, settings: { bootstrap_stagger_ms: 0 } })).startDelayMs,
    ).toBeUndefined();
    expect(pack.command(ctx({ ...docker, settings: { bootstrap_stagger_ms: 50 } })).startDelayMs).toBe(50);
    expect(bootstrapDelayMs({ token: 't', state: 'new', members }, 'not-a-member', 300)).toBe(0);
  });
});

describe('cluster membership rendering', () => {
  it('bootstraps a new cluster with a per-attempt token', () => {
    const cluster = createEtcdPack().bootstrap({ deploymentId: 'd1', nonce: 'attempt-7', members });
    expect(cluster).toEqual({ token: 'wharf-d1-attempt-7', state: 'new', members });
    expect(() => etcdClusterToken('d1', 'has space')).toThrow(
      expect.objectContaining({ code: 'WHARF_STACK_ERROR' }),
    );
  });

  it('joining replaces an earlier entry of the same member', () => {
    const moved = { ...members[2]!, host: '127.0.0.3' };
    const cluster = createEtcdPack().joining({ token: 't', state: 'new', members }, moved);
    expect(cluster.members.map((m) => m.host)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.3']);
  });

  it('renders IPv6 hosts in brackets', () => {
    expect(initialClusterOf([{ name: 'a', host: '::1', ports: { client: 1, peer: 2 } }])).toBe(
      'a=http://[::1]:2',
    );
  });
});
