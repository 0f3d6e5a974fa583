/**
 * `Authorization: ApiKey <key>` on every route but the health check. scrypt makes a
 * verification cost ~100 ms on purpose, so successful verifications are cached in memory by
 * sha256(key). A cached verification is used only while the watch-driven view of the key's
 * record still holds the revision it was verified at: a key deleted (or rewritten) through any
 * api stops working here as soon as the watch fires, and the api that deleted it drops its
 * entries at once ({@link KeyVerifier.forget}). {@link VERIFIED_KEY_TTL_MS} bounds how long a
 * verification is trusted when the view cannot learn about a change (ZooKeeper unreachable).
 * Expired keys are refused. The key itself is never logged or kept.
 */
import { type RequestHandler } from 'express';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock } from '../clock';
import { type ApiMetrics } from '../metrics';
import { isExpired } from '../domain/api-keys';
import { type KeyLookup } from '../store/types';
import { fingerprint, keyFromAuthorization, parseApiKey, verifySecret } from './api-key';
import { type ApiKeyRole, effectiveRole } from './rbac';

/**
 * How long a verified key is trusted without re-running scrypt when nothing says it changed; the
 * latest a revocation bites on an api that cannot hear from ZooKeeper.
 */
export const VERIFIED_KEY_TTL_MS = 60_000;
/** Most cached verifications; only valid keys get cached, so this is far above any real need. */
export const MAX_CACHED_KEYS = 1024;

/** Who made a request. */
export interface Principal {
  keyId: string;
  /** The key's strongest known role (`rbac.ts`); undefined: it may do nothing. */
  role: ApiKeyRole | undefined;
  /** The organization the key is confined to (`scope.ts`); undefined: the whole platform. */
  organizationId?: string;
}

/** Why a key was refused (metric label; never shown to the client). */
type Rejection = 'missing' | 'malformed' | 'unknown_key' | 'wrong_secret' | 'expired';

type Outcome = { principal: Principal; cached: boolean } | { rejected: Rejection };

/** Verifies keys against stored records, with a TTL cache and one in-flight check per key. */
export class KeyVerifier {
  private readonly verified = new Map<
    string,
    { principal: Principal; revision: string; expiresAt: number }
  >();
  private readonly inFlight = new Map<string, Promise<Outcome>>();

  constructor(
    private readonly keys: KeyLookup,
    private readonly clock: Clock,
    private readonly ttlMs: number = VERIFIED_KEY_TTL_MS,
  ) {}

  /** Checks the key from an Authorization header value. */
  async check(authorization: string | undefined): Promise<Outcome> {
    const key = keyFromAuthorization(authorization);
    if (key === undefined) return { rejected: authorization === undefined ? 'missing' : 'malformed' };
    const fp = fingerprint(key);
    const hit = this.verified.get(fp);
    const now = this.clock.now();
    if (
      hit !== undefined &&
      hit.expiresAt > now &&
      this.keys.cachedRevision(hit.principal.keyId) === hit.revision
    ) {
      return { principal: hit.principal, cached: true };
    }
    if (hit !== undefined) this.verified.delete(fp);
    let pending = this.inFlight.get(fp);
    if (pending === undefined) {
      pending = this.verify(key, fp).finally(() => this.inFlight.delete(fp));
      this.inFlight.set(fp, pending);
    }
    return pending;
  }

  private async verify(key: string, fp: string): Promise<Outcome> {
    const parsed = parseApiKey(key);
    if (parsed === undefined) return { rejected: 'malformed' };
    const stored = await this.keys.get(parsed.keyId);
    if (stored === undefined) return { rejected: 'unknown_key' };
    const { record, revision } = stored;
    if (!(await verifySecret(parsed.secret, record))) return { rejected: 'wrong_secret' };
    // Checked after the secret, so only the key's holder learns that it expired.
    if (isExpired(record, this.clock.now())) return { rejected: 'expired' };
    const principal: Principal = {
      keyId: record.id,
      role: effectiveRole(record.roles),
      ...(record.organization_id === undefined ? {} : { organizationId: record.organization_id }),
    };
    const expires = record.expires === undefined ? Infinity : Date.parse(record.expires);
    this.remember(fp, principal, revision, expires);
    return { principal, cached: false };
  }

  /** Drops every cached verification of a key (called by the api that deleted it). */
  forget(keyId: string): void {
    for (const [fp, entry] of this.verified) if (entry.principal.keyId === keyId) this.verified.delete(fp);
  }

  private remember(fp: string, principal: Principal, revision: string, keyExpires: number): void {
    if (this.verified.size >= MAX_CACHED_KEYS) {
      const now = this.clock.now();
      for (const [k, v] of this.verified) if (v.expiresAt <= now) this.verified.delete(k);
      // Still full: drop the oldest entry (Map iterates in insertion order).
      if (this.verified.size >= MAX_CACHED_KEYS)
        this.verified.delete(this.verified.keys().next().value as string);
    }
    const expiresAt = Math.min(this.clock.now() + this.ttlMs, keyExpires);
    this.verified.set(fp, { principal, revision, expiresAt });
  }
}

/** The principal an authenticated request was made by (set by {@link authenticate}). */
export function principalOf(locals: Record<string, unknown>): Principal | undefined {
  return locals.principal as Principal | undefined;
}

/** Middleware: 401 JSON unless the request carries a valid API key. */
export function authenticate(verifier: KeyVerifier, metrics: ApiMetrics, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    const outcome = await verifier.check(req.headers.authorization);
    if ('principal' in outcome) {
      metrics.authentications.inc({ result: outcome.cached ? 'cached' : 'verified' });
      res.locals.principal = outcome.principal;
      next();
      return;
    }
    metrics.authentications.inc({ result: outcome.rejected });
    logger.info('request unauthenticated', { method: req.method, reason: outcome.rejected });
    res.setHeader('WWW-Authenticate', 'ApiKey');
    const message =
      outcome.rejected === 'missing'
        ? 'missing Authorization: ApiKey <key> header'
        : outcome.rejected === 'expired'
          ? 'API key expired'
          : 'invalid API key';
    next(new WharfError('WHARF_UNAUTHORIZED', message, { details: [{ path: 'authorization', message }] }));
  };
}
