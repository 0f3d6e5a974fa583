import { isWharfError } from '@wharf/model';
import { getStackPack, isStackKind, stackKinds } from './registry';

describe('stack registry', () => {
  it('knows etcd and http', () => {
    expect(stackKinds()).toEqual(['etcd', 'http']);
    expect(getStackPack('etcd').routePort).toBe('client');
    expect(getStackPack('etcd').portNames).toEqual(['client', 'peer']);
    expect(getStackPack('http').portNames).toEqual(['http']);
    expect(isStackKind('etcd')).toBe(true);
    expect(isStackKind('redis')).toBe(false);
  });

  it('throws a clear WharfError for an unknown kind', () => {
    let caught: unknown;
    try {
      getStackPack('redis');
    } catch (err) {
      caught = err;
    }
    expect(isWharfError(caught, 'WHARF_STACK_ERROR')).toBe(true);
    expect((caught as Error).message).toContain('redis');
    expect((caught as { details: { known: string[] } }).details.known).toEqual(['etcd', 'http']);
  });

  it('packs are frozen', () => {
    expect(Object.isFrozen(getStackPack('etcd'))).toBe(true);
  });
});
