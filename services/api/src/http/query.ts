/**
 * Query-string validation. Every route declares the parameters it accepts; anything else, a
 * repeated parameter or a malformed value is a 400 naming the parameter, before any I/O.
 */
import { type Request } from 'express';
import { badRequest } from './errors';

/** Longest query value considered at all. */
const MAX_QUERY_VALUE_LENGTH = 256;

type Query = Record<string, unknown>;

/** Rejects parameters not in `allowed`, repeated ones, and nested ones (`a[b]=c`). */
export function allowOnly(req: Request, allowed: readonly string[]): Query {
  const query = req.query as Query;
  for (const [name, value] of Object.entries(query)) {
    if (!allowed.includes(name)) {
      const shown = name.length > 64 ? `${name.slice(0, 64)}...` : name;
      throw badRequest(shown, `unknown query parameter (allowed: ${allowed.join(', ') || 'none'})`);
    }
    if (typeof value !== 'string') throw badRequest(name, 'must be given once, as a plain value');
    if (value.length > MAX_QUERY_VALUE_LENGTH)
      throw badRequest(name, `must be at most ${MAX_QUERY_VALUE_LENGTH} characters`);
  }
  return query;
}

/** An integer parameter in [min, max], or `fallback` when absent. */
export function intParam(query: Query, name: string, min: number, max: number, fallback: number): number;
/** An integer parameter in [min, max], or undefined when absent. */
export function intParam(query: Query, name: string, min: number, max: number): number | undefined;
export function intParam(
  query: Query,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number | undefined {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(name, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** A boolean parameter (`true`/`false`), or `fallback` when absent. */
export function boolParam(query: Query, name: string, fallback: boolean): boolean {
  const raw = query[name];
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw badRequest(name, 'must be true or false');
}

/** A string parameter matching `pattern`, or undefined when absent. */
export function stringParam(
  query: Query,
  name: string,
  pattern: RegExp,
  describe: string,
): string | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !pattern.test(raw)) throw badRequest(name, describe);
  return raw;
}
