import { type ContainerInfo } from '@wharf/runtime';
import { LABELS, containerName, toLabelled } from './containers';

const info = (overrides: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id: 'c1',
  name: 'n',
  labels: {
    [LABELS.instance]: 'd1-main-0',
    [LABELS.deployment]: 'd1',
    [LABELS.fingerprint]: 'abc',
    [LABELS.generation]: '3',
    [LABELS.ports]: '{"http":20001}',
  },
  state: 'running',
  createdAt: 0,
  hostAddress: '127.0.0.1',
  ports: { http: 20001 },
  dataDir: '/d',
  ...overrides,
});

describe('toLabelled', () => {
  it('reads the wharf labels', () => {
    expect(toLabelled(info(), 5)).toEqual({
      id: 'c1',
      instanceId: 'd1-main-0',
      running: true,
      deploymentId: 'd1',
      fingerprint: 'abc',
      generation: 3,
      ports: { http: 20001 },
    });
  });

  it('reports how an exited container ended', () => {
    const exited = toLabelled(info({ state: 'exited', exitCode: null, signal: 'SIGKILL', finishedAt: 9 }), 5);
    expect(exited).toMatchObject({ running: false, exit: { code: null, signal: 'SIGKILL', at: 9 } });
  });

  it('ignores containers without an instance label', () => {
    expect(toLabelled(info({ labels: {} }), 5)).toBeUndefined();
  });
});

describe('containerName', () => {
  it('is wharf-<allocator>-<instance> when short enough, else a unique 63-character name', () => {
    expect(containerName('alloc-a', 'd1-main-0')).toBe('wharf-alloc-a-d1-main-0');
    const long = containerName('a'.repeat(40), 'b'.repeat(40));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(containerName('a'.repeat(41), 'b'.repeat(40)));
  });
});
