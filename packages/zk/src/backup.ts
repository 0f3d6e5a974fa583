/**
 * Platform backup and restore over a {@link ZkSession} (its chroot is the installation).
 *
 * `takeBackup` reads every persistent node with a data and a child watch set by the read itself,
 * then makes one round trip: ZooKeeper delivers a session's notifications in order with its
 * responses, so when that round trip returns and no watch has fired, no node changed between its
 * read and the round trip, and the file is the tree as it was at that instant. Changed nodes are
 * read again (new watches) and the round repeated; only what changed is re-read, so a busy tree
 * settles in a few rounds. Ephemeral nodes (live registrations, leader latches, locks) belong to
 * sessions that a restore cannot bring back: they are never written.
 *
 * `restoreBackup` creates the nodes parent-first in batched transactions (each all or nothing)
 * into a target that holds nothing, or with `force` creates what is missing and overwrites the
 * data of what exists.
 */
import { WharfError } from '@wharf/model';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  DEFAULT_BATCH_LIMITS,
  parentFirst,
  restoreBatches,
  type Backup,
  type BackupNode,
  type BatchLimits,
} from './backup-format';
import { joinPath } from './paths';
import { type ZkSession } from './session';
import { type ZkTransactionFailureDetails } from './transaction';
import { type ZkWatcher } from './types';

/** Rounds before `takeBackup` gives up on a tree that keeps changing. */
export const DEFAULT_BACKUP_ATTEMPTS = 50;

/** What a backup reads through (a {@link ZkSession}). */
export type BackupSession = Pick<ZkSession, 'get' | 'childrenWithStat' | 'exists' | 'onStateChange'>;

/** Options of {@link takeBackup}. */
export interface TakeBackupOptions {
  /** Recorded in the header (the session's chroot). */
  chroot: string;
  attempts?: number;
  now?: () => Date;
}

interface ReadNode {
  path: string;
  data: Buffer;
  mzxid: bigint;
  pzxid: bigint;
  /** Names of the persistent children. */
  children: string[];
}

/** Top-level nodes that are ZooKeeper's own, not the installation's (seen without a chroot). */
const SYSTEM_NODES = new Set(['/zookeeper']);
/** Requests in flight at once while walking or checking (the client pipelines them). */
const PARALLEL = 256;

async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) {
    out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(fn))));
  }
  return out;
}

function isNoNode(err: unknown): boolean {
  return err instanceof WharfError && err.code === 'WHARF_ZK_NO_NODE';
}

/** A consistent read in progress: the nodes read so far, by path, each read with watches set. */
class TreeRead {
  readonly nodes = new Map<string, ReadNode>();
  /** Paths whose watch fired since they were read. */
  readonly dirty = new Set<string>();
  private readonly watcher: ZkWatcher = (event) => this.dirty.add(event.path);

  constructor(private readonly zk: BackupSession) {}

  /** Reads `paths` and everything below them, level by level; vanished or ephemeral nodes are skipped. */
  async walk(paths: readonly string[]): Promise<void> {
    let level = paths.filter((p) => !SYSTEM_NODES.has(p));
    while (level.length > 0) {
      const read = await inBatches(level, (p) => this.readOne(p));
      level = read.flatMap((n) =>
        n === undefined
          ? []
          : n.children
              .map((c) => joinPath(n.path, c))
              .filter((p) => !SYSTEM_NODES.has(p) && !this.nodes.has(p)),
      );
    }
  }

  /** Reads one node with a data and a child watch; its children are listed, ephemerals included. */
  private async readOne(path: string): Promise<ReadNode | undefined> {
    try {
      const node = await this.zk.get(path, this.watcher);
      if (node.stat.ephemeralOwner !== null) return undefined;
      const listing = await this.zk.childrenWithStat(path, this.watcher);
      const entry: ReadNode = {
        path,
        data: node.data,
        mzxid: node.stat.mzxid,
        pzxid: listing.stat.pzxid,
        children: listing.children,
      };
      this.nodes.set(path, entry);
      return entry;
    } catch (err) {
      if (isNoNode(err)) return undefined;
      throw err;
    }
  }

  /** Drops `path` and everything recorded below it. */
  private forget(path: string): void {
    const prefix = `${path}/`;
    for (const p of [...this.nodes.keys()]) if (p === path || p.startsWith(prefix)) this.nodes.delete(p);
  }

  /**
   * Settles the read: a round trip to the server, after which every watch on a node changed
   * before it has been delivered (ZooKeeper sends a session's notifications in order with its
   * responses). No watch fired: every recorded node was current at that instant, so the record
   * is the tree as it was then; returns true. Otherwise reads the changed nodes again (with new
   * watches), walks children that appeared, drops those that went, and returns false.
   */
  async settle(): Promise<boolean> {
    await this.zk.exists('/');
    if (this.dirty.size === 0) return true;
    const changed = [...this.dirty].filter((p) => this.nodes.has(p));
    this.dirty.clear();
    for (const path of changed) {
      const before = this.nodes.get(path);
      if (before === undefined) continue; // dropped with a changed ancestor
      const after = await this.readOne(path);
      if (after === undefined) {
        this.forget(path);
        continue;
      }
      const now = new Set(after.children);
      for (const name of before.children) if (!now.has(name)) this.forget(joinPath(path, name));
      await this.walk(after.children.map((c) => joinPath(path, c)));
    }
    return false;
  }
}

/**
 * Reads the whole tree of `zk` (its chroot) consistently: a walk with watches, then rounds that
 * read again whatever changed, until a round finds nothing changed. A connection drop during the
 * read (watches may be lost) starts it over. Throws WHARF_CONFLICT if it never settles.
 */
export async function takeBackup(zk: BackupSession, options: TakeBackupOptions): Promise<Backup> {
  const attempts = options.attempts ?? DEFAULT_BACKUP_ATTEMPTS;
  const now = options.now ?? (() => new Date());
  let interrupted = false;
  const off = zk.onStateChange((change) => {
    if (change.event !== 'connected') interrupted = true;
  });
  try {
    let read = new TreeRead(zk);
    await read.walk(['/']);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const settled = await read.settle();
      if (interrupted) {
        interrupted = false;
        read = new TreeRead(zk);
        await read.walk(['/']);
        continue;
      }
      if (!settled) continue;
      const nodes = [...read.nodes.values()];
      let zxid = 0n;
      for (const n of nodes) {
        if (n.mzxid > zxid) zxid = n.mzxid;
        if (n.pzxid > zxid) zxid = n.pzxid;
      }
      return {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        taken_at: now().toISOString(),
        zxid: zxid.toString(),
        chroot: options.chroot,
        nodes: parentFirst(
          nodes
            .filter((n) => n.path !== '/')
            .map((n): BackupNode => ({ path: n.path, data: n.data.toString('base64') })),
        ),
      };
    }
  } finally {
    off();
  }
  throw new WharfError('WHARF_CONFLICT', `the tree kept changing during ${attempts} rounds; try again`, {
    details: [{ path: 'zookeeper', message: 'no consistent read' }],
  });
}

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** Restore into a non-empty target: create what is missing, overwrite the data of what exists. */
  force?: boolean;
  limits?: BatchLimits;
}

/** What a restore did. */
export interface RestoreResult {
  readonly created: number;
  readonly overwritten: number;
  readonly transactions: number;
}

/** Persistent top-level nodes of the target (its system nodes aside). */
async function occupants(zk: ZkSession): Promise<string[]> {
  const out: string[] = [];
  for (const name of await zk.children('/')) {
    const path = joinPath('/', name);
    if (SYSTEM_NODES.has(path)) continue;
    const stat = await zk.exists(path);
    if (stat !== null && stat.ephemeralOwner === null) out.push(path);
  }
  return out;
}

/**
 * Writes `backup` into `zk` (its chroot). Refuses a target holding any persistent node with
 * WHARF_CONFLICT naming them, unless `force`.
 */
export async function restoreBackup(
  zk: ZkSession,
  backup: Backup,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const present = await occupants(zk);
  if (present.length > 0 && options.force !== true) {
    throw new WharfError(
      'WHARF_CONFLICT',
      `the target ZooKeeper is not empty (${present.slice(0, 5).join(', ')}${present.length > 5 ? ', …' : ''}); restore only into an empty one, or pass --force to overwrite`,
      { details: [{ path: 'target', message: `holds ${present.length} top-level node(s)` }] },
    );
  }
  let created = 0;
  let overwritten = 0;
  let transactions = 0;
  for (const batch of restoreBatches(backup.nodes, options.limits ?? DEFAULT_BATCH_LIMITS)) {
    const done = await restoreBatch(zk, batch, present.length > 0);
    created += done.created;
    overwritten += done.overwritten;
    if (done.committed) transactions++;
  }
  return { created, overwritten, transactions };
}

/**
 * Tries of one batch. Restoring with `force` into a live installation races its services: one
 * re-registering after the wipe can create a node between this batch's `exists` and its commit
 * (NODE_EXISTS), or write one it overwrites (BAD_VERSION). The batch is all or nothing, so it is
 * checked and tried again; a tree that keeps changing under the same nodes fails the restore.
 */
export const RESTORE_BATCH_ATTEMPTS = 5;

async function restoreBatch(
  zk: ZkSession,
  batch: readonly BackupNode[],
  check: boolean,
): Promise<{ created: number; overwritten: number; committed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const tx = zk.transaction();
    let created = 0;
    let overwritten = 0;
    for (const node of batch) {
      const data = Buffer.from(node.data, 'base64');
      const stat = check ? await zk.exists(node.path) : null;
      if (stat === null) {
        tx.create(node.path, data);
        created++;
      } else if (!stat.ephemeralOwner) {
        tx.set(node.path, data, stat.version);
        overwritten++;
      }
    }
    if (created + overwritten === 0) return { created, overwritten, committed: false };
    try {
      await tx.commit();
      return { created, overwritten, committed: true };
    } catch (err) {
      if (!check || attempt >= RESTORE_BATCH_ATTEMPTS || !isRace(err)) throw err;
    }
  }
}

/** A transaction that failed on a node another session created or changed meanwhile. */
function isRace(err: unknown): boolean {
  if (!(err instanceof WharfError) || err.code !== 'WHARF_ZK_TRANSACTION_FAILED') return false;
  const failed = (err.details as ZkTransactionFailureDetails | undefined)?.results.find(
    (r) => r.status === 'failed',
  );
  return failed?.code === 'WHARF_ZK_NODE_EXISTS' || failed?.code === 'WHARF_ZK_BAD_VERSION';
}
