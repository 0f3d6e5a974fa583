/**
 * Verifying an etcd snapshot file and restoring it logically: every live key of the snapshot is
 * written into a running (new, empty) cluster through its HTTP gateway in transactions, so the
 * target keeps its own membership and raft history (no `etcdctl snapshot restore`, which Debian's
 * etcd-server does not ship). Writes are idempotent: a restore interrupted half-way is run again
 * from the start and ends with the same keys.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WharfError, isWharfError } from '@wharf/model';
import { type MemberEndpoint, type RestoreOptions, type RestoreResult, type SnapshotResult } from '../types';
import { etcdCall, type EtcdAuth } from './api';
import { etcdAuthOf } from './auth-session';
import { readEtcdKeys, type SnapshotKeyValue } from './bolt';

/** Length of the SHA-256 trailer. */
const TRAILER_BYTES = 32;
/** Puts per transaction: below etcd's default `--max-txn-ops` (128). */
export const RESTORE_TXN_OPS = 100;
/** Payload per transaction: well below etcd's default request limit (1.5 MiB) after base64. */
export const RESTORE_TXN_BYTES = 512 * 1024;

/** A verified snapshot file: its size, SHA-256 and the database without the trailer. */
export interface VerifiedSnapshot extends SnapshotResult {
  db: Buffer;
}

/** Reads `file` and checks etcd's SHA-256 trailer; `WHARF_SNAPSHOT_CORRUPT` when it fails. */
export async function readVerifiedSnapshot(file: string): Promise<VerifiedSnapshot> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    throw new WharfError('WHARF_NOT_FOUND', 'snapshot file is missing', { details: { file }, cause: err });
  }
  const body = data.subarray(0, Math.max(0, data.length - TRAILER_BYTES));
  const trailer = data.subarray(body.length);
  if (data.length <= TRAILER_BYTES || !createHash('sha256').update(body).digest().equals(trailer)) {
    throw new WharfError('WHARF_SNAPSHOT_CORRUPT', 'snapshot file fails its SHA-256 integrity check', {
      details: { file, bytes: data.length },
    });
  }
  return {
    file,
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    db: body,
  };
}

/** Verifies `file` fully: the trailer, and that every key can be read back out of it. */
export async function etcdVerifySnapshot(file: string): Promise<SnapshotResult & { keys: number }> {
  const verified = await readVerifiedSnapshot(file);
  const keys = readEtcdKeys(verified.db).length;
  return { file, bytes: verified.bytes, sha256: verified.sha256, keys };
}

/** Splits puts into transactions bounded by {@link RESTORE_TXN_OPS} and {@link RESTORE_TXN_BYTES}. */
export function restoreBatches(kvs: readonly SnapshotKeyValue[]): SnapshotKeyValue[][] {
  const batches: SnapshotKeyValue[][] = [];
  let batch: SnapshotKeyValue[] = [];
  let bytes = 0;
  for (const kv of kvs) {
    const size = kv.key.length + kv.value.length;
    if (batch.length > 0 && (batch.length >= RESTORE_TXN_OPS || bytes + size > RESTORE_TXN_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(kv);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** `key` and `range_end` of every key: the byte 0 for both (etcd's "all keys >= key"). */
const ALL_KEYS = { key: Buffer.from([0]).toString('base64'), range_end: Buffer.from([0]).toString('base64') };

/** Sends one write to the first member that answers (any member forwards it to the leader). */
async function writeToAny(
  members: readonly MemberEndpoint[],
  path: string,
  body: unknown,
  auth: EtcdAuth | undefined,
): Promise<void> {
  let last: unknown;
  for (const member of members) {
    try {
      await etcdCall(member, path, body, auth ? { auth } : {});
      return;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_STACK_ERROR')) throw err;
      last = err;
    }
  }
  throw new WharfError('WHARF_STACK_ERROR', 'no member accepted the restore writes', { cause: last });
}

async function putBatch(
  members: readonly MemberEndpoint[],
  batch: SnapshotKeyValue[],
  auth: EtcdAuth | undefined,
): Promise<void> {
  const success = batch.map((kv) => ({
    request_put: { key: kv.key.toString('base64'), value: kv.value.toString('base64') },
  }));
  await writeToAny(members, '/v3/kv/txn', { success }, auth);
}

/**
 * Writes every key of the snapshot `fromFile` into the running cluster `members`; with
 * `replace` (an in-place `_restore`), every key of the cluster is deleted first, so keys written
 * after the snapshot are gone. The file is read and verified before anything is deleted.
 */
export async function etcdRestore(
  fromFile: string,
  members: readonly MemberEndpoint[],
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const verified = await readVerifiedSnapshot(fromFile);
  const kvs = readEtcdKeys(verified.db);
  // One session for the whole restore: a token per member, not one per batch.
  const auth = etcdAuthOf(options);
  if (options.replace === true) await writeToAny(members, '/v3/kv/deleterange', ALL_KEYS, auth);
  for (const batch of restoreBatches(kvs)) await putBatch(members, batch, auth);
  options.logger?.info('etcd snapshot restored', { file: fromFile, keys: kvs.length });
  return { keys: kvs.length };
}
