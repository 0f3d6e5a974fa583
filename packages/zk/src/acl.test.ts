import { ALL_PERMISSIONS, OPEN_ACL, WORLD_READABLE, fromLibraryAcl, toLibraryAcl, x509Acl } from './acl';

describe('ACLs', () => {
  test('round-trip through the library objects, permission bits included', () => {
    const acl = [x509Acl('CN=h1,OU=proxy,O=Wharf', ['read', 'write']), WORLD_READABLE];
    const library = toLibraryAcl(acl);
    expect(
      library.map((a) => [(a as unknown as { permission: number }).permission, a.id.scheme, a.id.id]),
    ).toEqual([
      [3, 'x509', 'CN=h1,OU=proxy,O=Wharf'],
      [1, 'world', 'anyone'],
    ]);
    expect(fromLibraryAcl(library)).toEqual(acl);
    expect(fromLibraryAcl(toLibraryAcl(OPEN_ACL))).toEqual([
      { scheme: 'world', id: 'anyone', perms: ALL_PERMISSIONS },
    ]);
  });

  test('refuses an empty ACL, an entry without permissions and unknown permissions', () => {
    expect(() => toLibraryAcl([])).toThrow(/empty/);
    expect(() => toLibraryAcl([x509Acl('CN=a', [])])).toThrow(/no permission/);
    expect(() => toLibraryAcl([x509Acl('CN=a', ['fly' as never])])).toThrow(/invalid acl permission/);
  });
});
