import {
  EVERYONE_X509_ID,
  aclFor,
  identityX509Id,
  matchesPattern,
  ruleFor,
  wharfAclPolicy,
  type ZkIdentity,
} from './zk-acl-policy';

const API: ZkIdentity = { hostId: 'host-1', role: 'api' };
const PROXY: ZkIdentity = { hostId: 'host-2', role: 'proxy' };
const ALLOCATOR: ZkIdentity = { hostId: 'host-3', role: 'allocator' };

/** The ids granted `perm` on `path` when `writer` creates it. */
function who(
  path: string,
  writer: ZkIdentity,
  perm: 'read' | 'write' | 'create' | 'delete' | 'admin',
): string[] {
  return aclFor(path, writer)
    .filter((entry) => entry.perms.includes(perm))
    .map((entry) => entry.id);
}

describe('zk acl policy', () => {
  test('patterns: * is one segment, ** any number including none', () => {
    expect(matchesPattern('/allocators/*', '/allocators/a1')).toBe(true);
    expect(matchesPattern('/allocators/*', '/allocators/a1/live')).toBe(false);
    expect(matchesPattern('/deployments/**', '/deployments')).toBe(true);
    expect(matchesPattern('/deployments/**', '/deployments/d1/plan/pending')).toBe(true);
    expect(matchesPattern('/deployments/**', '/deploymentsx')).toBe(false);
    expect(matchesPattern('/', '/')).toBe(true);
    expect(ruleFor('/allocators/a1/status/i1').pattern).toBe('/allocators/*/**');
  });

  test('every entry is x509 and world is never granted anything', () => {
    for (const path of ['/', '/platform/config', '/deployments/d1', '/routes/d1', '/proxies/p1', '/x/y']) {
      for (const entry of aclFor(path, API)) expect(entry.scheme).toBe('x509');
    }
  });

  test('deployments and plans: only api and constructor write or create; everyone reads', () => {
    for (const path of ['/deployments', '/deployments/d1', '/deployments/d1/plan/pending']) {
      expect(who(path, API, 'write')).toEqual(['OU=api,O=Wharf', 'OU=constructor,O=Wharf']);
      expect(who(path, API, 'create')).toEqual(['OU=api,O=Wharf', 'OU=constructor,O=Wharf']);
      expect(who(path, API, 'read')).toContain(EVERYONE_X509_ID);
    }
  });

  test('a proxy owns its registration, not the others; routes are read-only to proxies', () => {
    expect(who('/proxies/p1', PROXY, 'write')).toEqual([identityX509Id(PROXY)]);
    expect(who('/proxies', PROXY, 'create')).toEqual(['OU=proxy,O=Wharf']);
    expect(who('/routes/d1', { hostId: 'h', role: 'constructor' }, 'write')).toEqual([
      'OU=constructor,O=Wharf',
      'OU=api,O=Wharf',
    ]);
    expect(who('/routes/d1', PROXY, 'read')).toContain(EVERYONE_X509_ID);
  });

  test('an allocator writes its advertisement and statuses; specs are the constructor’s', () => {
    const mine = identityX509Id(ALLOCATOR);
    expect(who('/allocators/a1', ALLOCATOR, 'write')).toEqual([mine, 'OU=api,O=Wharf']);
    expect(who('/allocators/a1/status/i1', ALLOCATOR, 'write')).toEqual([mine]);
    const spec = '/allocators/a1/instances/i1';
    expect(who(spec, { hostId: 'h', role: 'constructor' }, 'write')).toEqual(['OU=constructor,O=Wharf']);
    expect(who(spec, { hostId: 'h', role: 'constructor' }, 'read')).not.toContain(EVERYONE_X509_ID);
    expect(who(spec, { hostId: 'h', role: 'constructor' }, 'read')).toContain('OU=allocator,O=Wharf');
  });

  test('log requests: api asks, the allocator answers, whichever created the allocator node', () => {
    const mine = identityX509Id(ALLOCATOR);
    // Every allocator and api may create its node under /log-requests (the first one is not the owner of all).
    expect(who('/log-requests', ALLOCATOR, 'create')).toEqual(['OU=api,O=Wharf', 'OU=allocator,O=Wharf']);
    expect(who('/log-requests/a1', ALLOCATOR, 'create')).toEqual([mine, 'OU=api,O=Wharf']);
    expect(who('/log-requests/a1', API, 'create')).toEqual([identityX509Id(API), 'OU=api,O=Wharf']);
    expect(who('/log-requests/a1', API, 'read')).toContain('OU=allocator,O=Wharf');
    const request = '/log-requests/a1/req-0000000001';
    expect(who(request, API, 'write')).toEqual(['OU=api,O=Wharf', 'OU=allocator,O=Wharf']);
    expect(who(request, API, 'read')).not.toContain('OU=proxy,O=Wharf');
    expect(who(request, API, 'read')).not.toContain(EVERYONE_X509_ID);
  });

  test('events and webhook cursors: api and constructor write, proxies and allocators only read', () => {
    for (const path of [
      '/events',
      '/events/event-0000000001',
      '/webhook-deliveries/ops',
      '/webhook-dead-letters/x',
    ]) {
      expect(who(path, { hostId: 'h', role: 'constructor' }, 'write')).toEqual([
        'OU=api,O=Wharf',
        'OU=constructor,O=Wharf',
      ]);
      expect(who(path, API, 'create')).not.toContain('OU=proxy,O=Wharf');
    }
  });

  test('the director alone writes /director and administers every node', () => {
    expect(who('/director/ca', { hostId: 'd1', role: 'director' }, 'write')).toEqual(['OU=director,O=Wharf']);
    expect(who('/deployments/d1', API, 'admin')).toEqual(['OU=director,O=Wharf']);
    expect(who('/platform/security/api-keys/k1', API, 'read')).toEqual([
      'OU=api,O=Wharf',
      'OU=director,O=Wharf',
    ]);
  });

  test('the director consumes roles tokens (write), but writes no other security record', () => {
    expect(who('/platform/security/roles-tokens/r1', API, 'write')).toEqual([
      'OU=api,O=Wharf',
      'OU=director,O=Wharf',
    ]);
    expect(who('/platform/security/roles-tokens/r1', API, 'delete')).toEqual(['OU=api,O=Wharf']);
    expect(who('/platform/security/api-keys/k1', API, 'write')).toEqual(['OU=api,O=Wharf']);
  });

  test('permissions of one id are merged into one entry', () => {
    const acl = aclFor('/director/x', { hostId: 'd1', role: 'director' });
    expect(acl.filter((e) => e.id === 'OU=director,O=Wharf')).toEqual([
      { scheme: 'x509', id: 'OU=director,O=Wharf', perms: ['read', 'write', 'create', 'delete', 'admin'] },
    ]);
  });

  test('an identity that could end an RDN is refused, naming the field', () => {
    expect(() => wharfAclPolicy({ hostId: 'a,OU=api', role: 'proxy' })).toThrow(
      expect.objectContaining({
        code: 'WHARF_VALIDATION',
        details: expect.objectContaining({ field: 'hostId' }),
      }),
    );
    expect(() => identityX509Id({ hostId: 'h', role: 'Proxy' })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ field: 'role' }) }),
    );
  });
});
