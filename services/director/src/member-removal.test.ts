import { createRootCa } from '@wharf/pki';
import { keyMatches } from './member-certificate';
import { removedFrom } from './member-removal';

const server = (id: number) => ({
  id,
  host: `127.0.0.${id}`,
  quorumPort: 2888,
  electionPort: 3888,
  clientPort: 2181,
});

describe('removedFrom', () => {
  const twoLeft = { servers: [server(1), server(2)], version: '100000007' };

  it('is removed: once listed, and the serving members no longer list it', () => {
    expect(removedFrom(twoLeft, 3, true)).toBe(true);
  });

  it('is not removed: still listed, never listed (a first join cut short), or nobody answered', () => {
    expect(removedFrom(twoLeft, 2, true)).toBe(false);
    expect(removedFrom(twoLeft, 3, false)).toBe(false);
    expect(removedFrom(null, 3, true)).toBe(false);
  });
});

describe('keyMatches', () => {
  it("tells a certificate's own key from another (a pair being replaced file by file)", async () => {
    const ca = await createRootCa();
    const subject = { hostId: 'host-2', role: 'zookeeper' };
    const sans = { dns: ['localhost'], ips: ['127.0.0.2'] };
    const one = await ca.issue({ profile: 'peer', subject, sans });
    const two = await ca.issue({ profile: 'peer', subject, sans });
    expect(keyMatches(one.certPem, one.keyPem)).toBe(true);
    expect(keyMatches(two.certPem, one.keyPem)).toBe(false);
    expect(keyMatches('not a certificate', one.keyPem)).toBe(false);
  }, 60_000); // three RSA keys on a busy 2-core box
});
