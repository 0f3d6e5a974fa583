/**
 * The Prometheus scrape token: one 256-bit random secret per installation, presented as
 * `Authorization: Bearer <token>` on every `/metrics` and on the api's service-discovery endpoint.
 * ZooKeeper holds only its sha256 (`/platform/security/scrape-token`); each service reads that
 * record on demand and keeps it for {@link SCRAPE_TOKEN_CACHE_MS}, so a rotation bites within
 * that time everywhere, and a service that cannot reach ZooKeeper keeps accepting the last token
 * it knew (metrics matter most during an outage).
 *
 * Transition rule: while no record exists (a service started without an api's bootstrap, as in
 * single-service tests), scrapes are not checked; once the api has created one, every scrape
 * must carry the token. The services bind their metrics servers to loopback by default.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { paths, type ScrapeTokenRecord } from '@wharf/model';
import { SYSTEM_CLOCK, type ZkClock } from './clock';
import { NOOP_LOGGER, type ZkLogger } from './logger';
import { DocumentStore } from './document-store';
import { type DocumentPort, type VersionStat } from './document-port';

/** How long a read record is trusted: one scrape interval's worth of ZooKeeper reads saved. */
export const SCRAPE_TOKEN_CACHE_MS = 5_000;
/** Prefix of every scrape token: recognisable in a config file, never mistaken for an API key. */
export const SCRAPE_TOKEN_PREFIX = 'wharf_s_';
/** Random bytes in a token (256 bits). */
const TOKEN_BYTES = 32;

/** sha256 of a token, lowercase hex (what the record stores). */
export function hashScrapeToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token and the record to store for it. */
export function generateScrapeToken(now: Date): { token: string; record: ScrapeTokenRecord } {
  const token = `${SCRAPE_TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
  return { token, record: { schema_version: 1, sha256: hashScrapeToken(token), created: now.toISOString() } };
}

/** The token of an `Authorization: Bearer <token>` header value, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(authorization ?? '');
  return match?.[1];
}

/** True when `token` hashes to `sha256` (constant time in the hash). */
export function scrapeTokenMatches(token: string, sha256: string): boolean {
  const presented = Buffer.from(hashScrapeToken(token), 'hex');
  const stored = Buffer.from(sha256, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Options of {@link ScrapeTokenVerifier}. */
export interface ScrapeTokenVerifierOptions {
  logger?: ZkLogger;
  clock?: ZkClock;
  /** See {@link SCRAPE_TOKEN_CACHE_MS}. */
  cacheMs?: number;
}

type Known = { sha256: string | undefined; readAt: number };

/** Checks scrape tokens against the record in ZooKeeper (see the file comment). */
export class ScrapeTokenVerifier {
  private readonly store: DocumentStore<VersionStat, unknown>;
  private readonly logger: ZkLogger;
  private readonly clock: ZkClock;
  private readonly cacheMs: number;
  private known: Known | undefined;
  private reading: Promise<Known | undefined> | undefined;

  constructor(zk: DocumentPort<VersionStat, unknown>, options: ScrapeTokenVerifierOptions = {}) {
    this.logger = options.logger ?? NOOP_LOGGER;
    this.store = new DocumentStore(zk, { logger: this.logger });
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.cacheMs = options.cacheMs ?? SCRAPE_TOKEN_CACHE_MS;
  }

  /** True when the scrape may proceed: `authorization` carries the token, or none is configured. */
  async allows(authorization: string | undefined): Promise<boolean> {
    const known = await this.current();
    // Never read successfully: no ZooKeeper yet. Refuse rather than serve unchecked.
    if (known === undefined) return false;
    if (known.sha256 === undefined) return true;
    const token = bearerToken(authorization);
    return token !== undefined && scrapeTokenMatches(token, known.sha256);
  }

  /** True only when `authorization` carries the stored token (false while none is stored). */
  async matches(authorization: string | undefined): Promise<boolean> {
    const known = await this.current();
    const token = bearerToken(authorization);
    return known?.sha256 !== undefined && token !== undefined && scrapeTokenMatches(token, known.sha256);
  }

  private async current(): Promise<Known | undefined> {
    const known = this.known;
    if (known !== undefined && this.clock.now() - known.readAt < this.cacheMs) return known;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<Known | undefined> {
    try {
      const doc = await this.store.read('scrape-token', paths.scrapeToken());
      this.known = { sha256: doc?.value.sha256, readAt: this.clock.now() };
    } catch (err) {
      this.logger.warn('scrape token record unreadable; keeping the last one', { err });
    }
    return this.known;
  }
}
