import { WharfError, isWharfError } from '@wharf/model';
import { decodeJson, encodeJson } from './data';
import { parentPath } from './paths';
import { type ZkSessionApi } from './session-api';
import { type ZkStat } from './types';

/** Default retries on a version conflict: enough for a handful of concurrent writers. */
export const DEFAULT_UPDATE_RETRIES = 20;

/** First back-off after a conflict; doubled per attempt. */
export const UPDATE_BACKOFF_BASE_MS = 2;

/** Back-off cap: contention on one znode resolves in a few round trips, no need to wait longer. */
export const UPDATE_BACKOFF_MAX_MS = 100;

/** Return this from an update function to leave the node as it is. */
export const SKIP_UPDATE: unique symbol = Symbol('wharf.zk.skipUpdate');

/** Computes the new document from the current one (`undefined` when the node is missing). */
export type UpdateFn<T> = (current: T | undefined, stat: ZkStat | null) => T | typeof SKIP_UPDATE;

/** Options for {@link updateJson}. */
export interface UpdateJsonOptions<T> {
  /** Attempts after the first on WHARF_ZK_BAD_VERSION / NODE_EXISTS. */
  retries?: number;
  /** Create the node when missing (the function then receives `undefined`). */
  createIfMissing?: boolean;
  /** Validates the stored document (e.g. the model's `parseDocument`). */
  parse?: (value: unknown) => T;
}

/** Outcome of {@link updateJson}. */
export interface UpdateJsonResult<T> {
  /** The stored value after the call. */
  readonly value: T | undefined;
  /** Its stat (null when skipped on a missing node). */
  readonly stat: ZkStat | null;
  /** Attempts used (1 = no conflict). */
  readonly attempts: number;
  /** False when the function returned SKIP_UPDATE. */
  readonly written: boolean;
}

/** Full-jitter exponential back-off: a random wait in [0, min(max, base·2^attempt)). Pure. */
export function backoffDelay(
  attempt: number,
  random: number,
  baseMs = UPDATE_BACKOFF_BASE_MS,
  maxMs = UPDATE_BACKOFF_MAX_MS,
): number {
  return Math.floor(random * Math.min(maxMs, baseMs * 2 ** attempt));
}

/**
 * Versioned read-modify-write of a JSON znode: read (value, version), apply `fn`, write
 * conditionally on that version; on a conflict re-read and retry with jittered back-off (via the
 * session's clock). `fn` may run several times and must be pure. Throws WHARF_ZK_BAD_VERSION
 * once retries are exhausted, WHARF_ZK_NO_NODE when missing without `createIfMissing`.
 */
export async function updateJson<T>(
  session: ZkSessionApi,
  path: string,
  fn: UpdateFn<T>,
  options: UpdateJsonOptions<T> = {},
): Promise<UpdateJsonResult<T>> {
  const retries = options.retries ?? DEFAULT_UPDATE_RETRIES;
  const parse = options.parse ?? ((v: unknown) => v as T);
  for (let attempt = 0; ; attempt++) {
    try {
      return {
        ...(await attemptUpdate(session, path, fn, parse, options.createIfMissing ?? false)),
        attempts: attempt + 1,
      };
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS') || attempt >= retries) throw err;
      session.logger.debug('versioned update conflict', { path, attempt });
      await session.clock.sleep(backoffDelay(attempt, session.clock.random()));
    }
  }
}

async function attemptUpdate<T>(
  session: ZkSessionApi,
  path: string,
  fn: UpdateFn<T>,
  parse: (value: unknown) => T,
  createIfMissing: boolean,
): Promise<Omit<UpdateJsonResult<T>, 'attempts'>> {
  let current: { value: T; stat: ZkStat } | null = null;
  try {
    const node = await session.get(path);
    current = { value: parse(decodeJson(path, node.data)), stat: node.stat };
  } catch (err) {
    if (!isWharfError(err, 'WHARF_ZK_NO_NODE') || !createIfMissing) throw err;
  }
  const next = fn(current?.value, current?.stat ?? null);
  if (next === SKIP_UPDATE) return { value: current?.value, stat: current?.stat ?? null, written: false };
  const data = encodeJson(next);
  if (current === null) {
    await createWithParents(session, path, data);
    const stat = await session.exists(path);
    if (stat === null)
      throw new WharfError('WHARF_ZK_BAD_VERSION', 'node vanished after create', { details: { path } });
    return { value: next, stat, written: true };
  }
  const stat = await session.set(path, data, current.stat.version);
  return { value: next, stat, written: true };
}

async function createWithParents(session: ZkSessionApi, path: string, data: Buffer): Promise<void> {
  try {
    await session.create(path, data);
  } catch (err) {
    if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
    await session.mkdirp(parentPath(path));
    await session.create(path, data);
  }
}
