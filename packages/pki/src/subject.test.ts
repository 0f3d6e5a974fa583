import { identityOf, identitySubject, normalizeDn, rfc2253, x509Id } from './subject';

describe('subjects and ZooKeeper x509 ids', () => {
  test('a service identity is O=Wharf, OU=role, CN=host; its x509 id lists CN first', () => {
    const dn = identitySubject({ hostId: 'host-1', role: 'allocator' });
    expect(dn).toEqual({ commonName: 'host-1', organizationalUnit: 'allocator', organization: 'Wharf' });
    expect(x509Id(dn)).toBe('CN=host-1,OU=allocator,O=Wharf');
    expect(identityOf(dn)).toEqual({ hostId: 'host-1', role: 'allocator' });
    expect(x509Id({ commonName: 'Wharf Root CA' })).toBe('CN=Wharf Root CA,O=Wharf');
  });

  test('refuses ids and values that would need escaping or are not Wharf ids', () => {
    expect(() => identitySubject({ hostId: 'Host_1', role: 'allocator' })).toThrow(/invalid hostId/);
    expect(() => identitySubject({ hostId: 'h', role: '' })).toThrow(/invalid role/);
    for (const bad of ['a,b', 'a+b', 'a"b', 'a\\b', 'a<b', 'a;b', 'a=b', ' a', 'a ', '', 'x'.repeat(65)]) {
      expect(() => normalizeDn({ commonName: bad })).toThrow(/invalid subject.commonName/);
    }
    expect(identityOf({ commonName: 'Wharf Root CA', organization: 'Wharf' })).toBeNull();
  });

  test('rfc2253 escapes specials of foreign subjects as Java prints them', () => {
    expect(
      rfc2253([
        { shortName: 'O', value: 'A, Inc.' },
        { shortName: 'CN', value: '#x ' },
      ]),
    ).toBe('CN=\\#x\\ ,O=A\\, Inc.');
  });
});
