/**
 * Which dead letters a `GET /platform/configuration/webhooks/dead-letters` reads, from their znode
 * names alone (`<target>-<seq, 10 digits>`), so a long list costs one `getChildren` and only the
 * answered letters are read. Pure.
 */
import { isValidId } from '@wharf/model';
import { badRequest } from '../http/errors';
import { intParam } from '../http/query';

/** Dead letters one GET returns by default, and at most. */
export const DEFAULT_DEAD_LETTERS_LIMIT = 100;
export const MAX_DEAD_LETTERS_LIMIT = 1000;

/** A validated dead-letter query. */
export interface DeadLetterQuery {
  target?: string;
  limit: number;
}

/** A dead letter's place, parsed from its znode name. */
export interface DeadLetterName {
  name: string;
  target: string;
  seq: number;
}

/** Validates `target` and `limit`; 400 naming the parameter. */
export function parseDeadLetterQuery(query: Record<string, unknown>): DeadLetterQuery {
  if (query.target !== undefined && !isValidId(query.target))
    throw badRequest('target', 'must be a webhook target id (a-z, 0-9, -)');
  const limit = intParam(query, 'limit', 1, MAX_DEAD_LETTERS_LIMIT, DEFAULT_DEAD_LETTERS_LIMIT);
  return { ...(query.target === undefined ? {} : { target: query.target as string }), limit };
}

const NAME = /^([a-z0-9][a-z0-9-]*)-(\d{10})$/;

/** The target and sequence a znode name carries; undefined for anything else. */
export function parseDeadLetterName(name: string): DeadLetterName | undefined {
  const match = NAME.exec(name);
  if (match === null || !isValidId(match[1])) return undefined;
  return { name, target: match[1]!, seq: Number(match[2]) };
}

/**
 * The letters `q` asks for: of `q.target` (all targets when absent), the `q.limit` newest by event
 * sequence (the order events happened in, across targets), oldest first.
 */
export function selectDeadLetters(names: readonly string[], q: DeadLetterQuery): DeadLetterName[] {
  const parsed = names
    .map(parseDeadLetterName)
    .filter((n): n is DeadLetterName => n !== undefined && (q.target === undefined || n.target === q.target));
  parsed.sort((a, b) => a.seq - b.seq || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  return parsed.slice(-q.limit);
}
