import { assertProfile, leafExtensions, normalizeSans, profileOfUsages } from './profiles';

describe('SANs and profiles', () => {
  test('normalizes SANs: lower case, unique, sorted; wildcards and IPv6 allowed', () => {
    expect(
      normalizeSans(
        { dns: ['B.local', 'a.local', 'b.local', '*.Apps.local'], ips: ['::1', '127.0.0.1'] },
        'server',
      ),
    ).toEqual({
      dns: ['*.apps.local', 'a.local', 'b.local'],
      ips: ['127.0.0.1', '::1'],
    });
  });

  test('names the bad entry', () => {
    expect(() => normalizeSans({ dns: ['ok', 'bad name'] }, 'client')).toThrow(/sans\.dns\[1\]/);
    expect(() => normalizeSans({ dns: ['a.*.b'] }, 'client')).toThrow(/sans\.dns\[0\]/);
    expect(() => normalizeSans({ ips: ['300.1.1.1'] }, 'client')).toThrow(/sans\.ips\[0\]/);
    expect(() => normalizeSans({ dns: Array.from({ length: 65 }, (_, i) => `h${i}`) }, 'client')).toThrow(
      /at most 64/,
    );
  });

  test('a server or peer certificate needs a name; a client one does not', () => {
    expect(() => normalizeSans(undefined, 'server')).toThrow(/at least one/);
    expect(() => normalizeSans({}, 'peer')).toThrow(/at least one/);
    expect(normalizeSans(undefined, 'client')).toEqual({ dns: [], ips: [] });
  });

  test('extended key usage follows the profile', () => {
    const eku = (p: 'server' | 'client' | 'peer'): unknown =>
      leafExtensions(p, { dns: ['x'], ips: [] }, 'k').find((e) => e.name === 'extKeyUsage');
    expect(eku('server')).toEqual({ name: 'extKeyUsage', serverAuth: true, clientAuth: false });
    expect(eku('client')).toEqual({ name: 'extKeyUsage', serverAuth: false, clientAuth: true });
    expect(eku('peer')).toEqual({ name: 'extKeyUsage', serverAuth: true, clientAuth: true });
    expect(profileOfUsages(true, true)).toBe('peer');
    expect(profileOfUsages(false, false)).toBeNull();
    expect(() => assertProfile('ca')).toThrow(/invalid certificate profile/);
  });
});
