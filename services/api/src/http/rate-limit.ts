/**
 * A per-API-key rate limit on mutating requests (`POST`, `PUT`, `PATCH`, `DELETE`): a token
 * bucket per key in this process's memory, refilled at `perSecond` up to `burst`. A refused
 * request answers 429 `WHARF_RATE_LIMITED` with `Retry-After`. Reads (and deployment searches)
 * are never limited. Each api
 * process counts on its own, so behind N apis a key may make up to N times the rate.
 */
import { type RequestHandler } from 'express';
import { WharfError } from '@wharf/model';
import { principalOf } from '../auth/authenticate';
import { type Clock } from '../clock';
import { type ApiMetrics } from '../metrics';

/** The limit: sustained requests per second and the burst allowed on top of an idle period. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Default: far above what a person or the CLI does, low enough to stop a runaway script. */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimit> = Object.freeze({ perSecond: 50, burst: 100 });
/** Buckets kept at most; only authenticated keys get one, so this is far above any real need. */
export const MAX_BUCKETS = 10_000;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** `POST .../deployments/_search` is a read whose query is a body: not limited like a change. */
const SEARCH = /\/deployments\/_search\/?$/i;

interface Bucket {
  tokens: number;
  updated: number;
}

/** The outcome of taking a token. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Token buckets by key. Pure apart from the injected clock. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {}

  /** Takes one token from `key`'s bucket if there is one. */
  take(key: string): TakeResult {
    const now = this.clock.now();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.limit.perSecond) * 1000) };
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.evict(now);
      bucket = { tokens: this.limit.burst, updated: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updated) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsed * this.limit.perSecond);
    bucket.updated = now;
    return bucket;
  }

  /** Drops buckets that are full again (forgetting them changes nothing), else the oldest. */
  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      const elapsed = Math.max(0, now - b.updated) / 1000;
      if (b.tokens + elapsed * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

/** Middleware (after authentication): 429 when the request's key has no token left. */
export function rateLimit(buckets: TokenBuckets, metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const keyId = principalOf(res.locals)?.keyId;
    if (!MUTATING.has(req.method) || SEARCH.test(req.path) || keyId === undefined) {
      next();
      return;
    }
    const result = buckets.take(keyId);
    if (result.allowed) {
      next();
      return;
    }
    metrics.rateLimited.inc();
    const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    res.setHeader('Retry-After', String(seconds));
    const message = `too many requests with this API key; retry in ${seconds} s`;
    next(new WharfError('WHARF_RATE_LIMITED', message, { details: [{ path: 'authorization', message }] }));
  };
}
