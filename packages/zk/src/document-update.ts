/**
 * The retry loop of a versioned read-modify-write, over three injected operations so it is tested
 * without a server: read (value, version), apply a pure function, write conditionally on that
 * version; a conflict (another writer got there first) re-reads and retries with jittered back-off.
 */
import { WharfError, isWharfError } from '@wharf/model';
import { SYSTEM_CLOCK, type ZkClock } from './clock';
import { DEFAULT_UPDATE_RETRIES, SKIP_UPDATE, backoffDelay } from './update-json';

/** Computes the next document from the current one (`undefined` when missing); may run several times. */
export type DocumentUpdateFn<T> = (
  current: T | undefined,
  version: number | undefined,
) => T | typeof SKIP_UPDATE;

/** Options of a document update. */
export interface DocumentUpdateOptions {
  /** Attempts after the first on a version conflict (default {@link DEFAULT_UPDATE_RETRIES}). */
  retries?: number;
  /** Create the document when missing (`fn` then receives `undefined`); default false. */
  createIfMissing?: boolean;
}

/** Outcome of a document update. */
export interface DocumentUpdateResult<T> {
  /** The stored document after the call (undefined when skipped on a missing node). */
  readonly value: T | undefined;
  /** Its version (undefined when skipped on a missing node). */
  readonly version: number | undefined;
  /** Attempts used (1 = no conflict). */
  readonly attempts: number;
  /** False when `fn` returned `SKIP_UPDATE`. */
  readonly written: boolean;
}

/** The operations an update runs; a conflict surfaces as `WHARF_ZK_BAD_VERSION` / `WHARF_ZK_NODE_EXISTS`. */
export interface DocumentUpdateOps<T> {
  /** Named in errors. */
  readonly path: string;
  read(): Promise<{ value: T; version: number } | undefined>;
  create(value: T): Promise<void>;
  set(value: T, version: number): Promise<number>;
}

/**
 * Runs `fn` against the current document until a conditional write lands, at most `retries + 1`
 * times. Throws `WHARF_ZK_BAD_VERSION` when retries run out, `WHARF_ZK_NO_NODE` when the document
 * is missing without `createIfMissing`, `WHARF_VALIDATION` when the stored document is bad.
 */
export async function updateDocument<T>(
  ops: DocumentUpdateOps<T>,
  fn: DocumentUpdateFn<T>,
  options: DocumentUpdateOptions & { clock?: ZkClock } = {},
): Promise<DocumentUpdateResult<T>> {
  const retries = options.retries ?? DEFAULT_UPDATE_RETRIES;
  const clock = options.clock ?? SYSTEM_CLOCK;
  for (let attempt = 0; ; attempt++) {
    try {
      return { ...(await attemptOnce(ops, fn, options.createIfMissing ?? false)), attempts: attempt + 1 };
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NODE_EXISTS') || attempt >= retries) throw err;
      await clock.sleep(backoffDelay(attempt, clock.random()));
    }
  }
}

async function attemptOnce<T>(
  ops: DocumentUpdateOps<T>,
  fn: DocumentUpdateFn<T>,
  createIfMissing: boolean,
): Promise<Omit<DocumentUpdateResult<T>, 'attempts'>> {
  const current = await ops.read();
  if (current === undefined && !createIfMissing) {
    throw new WharfError('WHARF_ZK_NO_NODE', 'document to update does not exist', {
      details: { path: ops.path },
    });
  }
  const next = fn(current?.value, current?.version);
  if (next === SKIP_UPDATE) return { value: current?.value, version: current?.version, written: false };
  if (current === undefined) {
    await ops.create(next);
    return { value: next, version: 0, written: true };
  }
  return { value: next, version: await ops.set(next, current.version), written: true };
}
