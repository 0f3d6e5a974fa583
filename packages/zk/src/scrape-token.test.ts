import { WharfError, paths, serializeDocument } from '@wharf/model';
import { type DocumentPort, type VersionStat } from './document-port';
import { ScrapeTokenVerifier, bearerToken, generateScrapeToken, scrapeTokenMatches } from './scrape-token';

/** A port whose `get` serves one znode (or NO_NODE, or a failure). */
function port(
  read: () => Buffer | 'missing' | 'down',
): DocumentPort<VersionStat, unknown> & { reads: number } {
  const p = {
    reads: 0,
    get: async (path: string) => {
      p.reads++;
      expect(path).toBe(paths.scrapeToken());
      const data = read();
      if (data === 'missing') throw new WharfError('WHARF_ZK_NO_NODE', 'no node');
      if (data === 'down') throw new WharfError('WHARF_ZK_CONNECTION_LOSS', 'connection loss');
      return { data, stat: { version: 0 } };
    },
  };
  return p as unknown as DocumentPort<VersionStat, unknown> & { reads: number };
}

describe('scrape tokens', () => {
  const { token, record } = generateScrapeToken(new Date('2026-12-05T00:00:00Z'));
  const stored = serializeDocument('scrape-token', record);

  it('are random, prefixed, and match only their own hash', () => {
    const other = generateScrapeToken(new Date());
    expect(token).toMatch(/^wharf_s_[A-Za-z0-9_-]{43}$/);
    expect(other.token).not.toBe(token);
    expect(scrapeTokenMatches(token, record.sha256)).toBe(true);
    expect(scrapeTokenMatches(other.token, record.sha256)).toBe(false);
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`ApiKey ${token}`)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('are checked against the stored record, which is cached between reads', async () => {
    let now = 0;
    const zk = port(() => stored);
    const verifier = new ScrapeTokenVerifier(zk, { clock: { now: () => now } as never, cacheMs: 1000 });
    expect(await verifier.allows(`Bearer ${token}`)).toBe(true);
    expect(await verifier.allows('Bearer wharf_s_wrong')).toBe(false);
    expect(await verifier.allows(undefined)).toBe(false);
    expect(await verifier.matches(`Bearer ${token}`)).toBe(true);
    expect(zk.reads).toBe(1);
    now = 1500;
    await verifier.allows(`Bearer ${token}`);
    expect(zk.reads).toBe(2);
  });

  it('let every scrape through while no record exists, but never match one', async () => {
    const verifier = new ScrapeTokenVerifier(port(() => 'missing'));
    expect(await verifier.allows(undefined)).toBe(true);
    expect(await verifier.matches(`Bearer ${token}`)).toBe(false);
  });

  it('keep the last known record while ZooKeeper is unreachable, and refuse before any read', async () => {
    let state: 'up' | 'down' = 'down';
    let now = 0;
    const verifier = new ScrapeTokenVerifier(
      port(() => (state === 'up' ? stored : 'down')),
      { clock: { now: () => now } as never, cacheMs: 10 },
    );
    expect(await verifier.allows(undefined)).toBe(false);
    state = 'up';
    now = 100;
    expect(await verifier.allows(`Bearer ${token}`)).toBe(true);
    state = 'down';
    now = 200;
    expect(await verifier.allows(`Bearer ${token}`)).toBe(true);
    expect(await verifier.allows(undefined)).toBe(false);
  });
});
