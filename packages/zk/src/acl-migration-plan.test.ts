import { OPEN_ACL, WORLD_READABLE, x509Acl } from './acl';
import { decideAcl, inferOwner, isSecured } from './acl-migration-plan';
import { aclFor } from './zk-acl-policy';

describe('acl migration plan', () => {
  test('owners follow the runner ids: <service>-<host>, the runner itself <host>', () => {
    expect(inferOwner('/hosts/host-2')).toEqual({ hostId: 'host-2', role: 'runner' });
    expect(inferOwner('/hosts/host-2/live')).toEqual({ hostId: 'host-2', role: 'runner' });
    expect(inferOwner('/allocators/allocator-host-3/status/i1')).toEqual({
      hostId: 'host-3',
      role: 'allocator',
    });
    expect(inferOwner('/log-requests/allocator-host-3')).toEqual({ hostId: 'host-3', role: 'allocator' });
    expect(inferOwner('/proxies/proxy-host-4')).toEqual({ hostId: 'host-4', role: 'proxy' });
    expect(inferOwner('/services/runner/host-5')).toEqual({ hostId: 'host-5', role: 'runner' });
    expect(inferOwner('/services/constructor/constructor-host-1')).toEqual({
      hostId: 'host-1',
      role: 'constructor',
    });
  });

  test('no owner when the id does not name one, or the path has none', () => {
    expect(inferOwner('/allocators/a1')).toBeUndefined();
    expect(inferOwner('/allocators/proxy-host-1')).toBeUndefined();
    expect(inferOwner('/proxies/Proxy-1')).toBeUndefined();
    expect(inferOwner('/services/api')).toBeUndefined();
    expect(inferOwner('/deployments/d1')).toBeUndefined();
    expect(inferOwner('/hosts')).toBeUndefined();
    expect(inferOwner('/')).toBeUndefined();
  });

  test('only nodes with a non-x509 entry are changed', () => {
    expect(isSecured(OPEN_ACL)).toBe(false);
    expect(isSecured([x509Acl('O=Wharf', ['read']), WORLD_READABLE])).toBe(false);
    expect(isSecured([])).toBe(false);
    expect(isSecured([x509Acl('OU=api,O=Wharf')])).toBe(true);
    expect(decideAcl('/deployments/d1', [x509Acl('CN=h,OU=api,O=Wharf')])).toEqual({ action: 'keep' });
  });

  test('an open node gets the policy ACL of its inferred owner', () => {
    const owner = { hostId: 'host-4', role: 'proxy' };
    expect(decideAcl('/proxies/proxy-host-4', OPEN_ACL)).toEqual({
      action: 'secure',
      acl: aclFor('/proxies/proxy-host-4', owner),
      owner,
      writerUnknown: false,
    });
    const deployment = decideAcl('/deployments/d1', OPEN_ACL);
    expect(deployment).toMatchObject({ action: 'secure', owner: undefined, writerUnknown: false });
    const writers =
      deployment.action === 'secure' ? deployment.acl.filter((e) => e.perms.includes('write')) : [];
    expect(writers.map((e) => e.id).sort()).toEqual(['OU=api,O=Wharf', 'OU=constructor,O=Wharf']);
  });

  test('without an owner, a writer-owned node keeps only its role and director entries (fail closed)', () => {
    const decision = decideAcl('/proxies/p1', OPEN_ACL);
    expect(decision).toMatchObject({ writerUnknown: true });
    expect(decision.action === 'secure' && decision.acl).toEqual([
      { scheme: 'x509', id: 'O=Wharf', perms: ['read'] },
      { scheme: 'x509', id: 'OU=director,O=Wharf', perms: ['read', 'admin'] },
    ]);
  });
});
