import { nullLogger } from '@wharf/observability';
import { getStackPack } from '@wharf/stacks';
import { resolveStacks } from './stacks-adapter';

describe('resolveStacks', () => {
  const resolve = resolveStacks(nullLogger);

  it('gives etcd its route port and membership hooks', () => {
    const etcd = resolve('etcd');
    expect(etcd?.routePort).toBe(getStackPack('etcd').routePort);
    expect(typeof etcd?.beforeJoin).toBe('function');
    expect(typeof etcd?.beforeLeave).toBe('function');
    expect(typeof etcd?.migrateData).toBe('function');
    expect(typeof etcd?.leavePausesCluster).toBe('function');
    expect(resolve('etcd')).toBe(etcd);
  });

  it('gives an unclustered stack (http) no hooks, so it is released all at once', () => {
    const http = resolve('http');
    expect(http?.routePort).toBe(getStackPack('http').routePort);
    expect(http?.beforeJoin).toBeUndefined();
    expect(http?.migrateData).toBeUndefined();
  });

  it('resolves nothing for an unknown kind', () => {
    expect(resolve('mysql' as never)).toBeUndefined();
  });
});
