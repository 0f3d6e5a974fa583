/**
 * The platform backup file: a versioned JSON document with every persistent znode of an
 * installation (below its chroot), parents before children. Pure: encoding, strict parsing and
 * the batching a restore uses; the ZooKeeper side is in `backup.ts`.
 */
import { WharfError } from '@wharf/model';
import { assertZkPath, parentPath } from './paths';

/** `format` of every backup file. */
export const BACKUP_FORMAT = 'wharf-backup';
/** The only `version` this code writes and reads. */
export const BACKUP_VERSION = 1;

/** One persistent znode: its chroot-relative path and its data (base64). */
export interface BackupNode {
  readonly path: string;
  readonly data: string;
}

/** A whole backup. */
export interface Backup {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_VERSION;
  /** When the consistent read finished (ISO 8601). */
  readonly taken_at: string;
  /** Highest zxid the backup reflects (decimal string: zxids are 64-bit). */
  readonly zxid: string;
  /** Chroot the tree was read under, for the record; a restore may target another. */
  readonly chroot: string;
  /** Every persistent node below the chroot's root (the root itself excluded), parents first. */
  readonly nodes: readonly BackupNode[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function invalid(message: string, path: string): WharfError {
  return new WharfError('WHARF_VALIDATION', `invalid backup file: ${message}`, {
    details: [{ path, message }],
  });
}

function depth(path: string): number {
  return path.split('/').length - 1;
}

/** Sorts nodes so that every parent comes before its children (by depth, then path). */
export function parentFirst(nodes: readonly BackupNode[]): BackupNode[] {
  return [...nodes].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : 1));
}

/** The backup as file text (one JSON document, a node per line for diffable files). */
export function encodeBackup(backup: Backup): string {
  const { nodes, ...header } = backup;
  const lines = parentFirst(nodes).map((n) => `    ${JSON.stringify({ path: n.path, data: n.data })}`);
  const head = JSON.stringify(header, null, 2).slice(0, -2);
  return `${head},\n  "nodes": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

/**
 * Parses and checks a backup file: header, then every node (a valid absolute path, never `/`, no
 * duplicate, its parent present or the root, base64 data). Throws WHARF_VALIDATION naming the field.
 */
export function parseBackup(text: string): Backup {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid(`not JSON (${(err as Error).message})`, 'file');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw invalid('must be an object', 'file');
  const d = doc as Record<string, unknown>;
  if (d.format !== BACKUP_FORMAT) throw invalid(`must be "${BACKUP_FORMAT}"`, 'format');
  if (d.version !== BACKUP_VERSION) {
    throw invalid(
      `unsupported version ${JSON.stringify(d.version)} (this wharf reads ${BACKUP_VERSION})`,
      'version',
    );
  }
  if (typeof d.taken_at !== 'string' || Number.isNaN(Date.parse(d.taken_at))) {
    throw invalid('must be an ISO 8601 time', 'taken_at');
  }
  if (typeof d.zxid !== 'string' || !/^\d{1,20}$/.test(d.zxid))
    throw invalid('must be a decimal string', 'zxid');
  if (typeof d.chroot !== 'string') throw invalid('must be a string', 'chroot');
  if (!Array.isArray(d.nodes)) throw invalid('must be an array', 'nodes');
  const seen = new Set<string>(['/']);
  const nodes: BackupNode[] = [];
  for (const [i, raw] of (d.nodes as unknown[]).entries()) {
    const at = `nodes[${i}]`;
    if (raw === null || typeof raw !== 'object') throw invalid('must be an object', at);
    const { path, data } = raw as Record<string, unknown>;
    if (typeof path !== 'string') throw invalid('must be a string', `${at}.path`);
    try {
      assertZkPath(path);
    } catch {
      throw invalid(`not a ZooKeeper path: ${JSON.stringify(path.slice(0, 100))}`, `${at}.path`);
    }
    if (path === '/') throw invalid('the root is not a backed-up node', `${at}.path`);
    if (seen.has(path)) throw invalid(`duplicate node ${path}`, `${at}.path`);
    if (!seen.has(parentPath(path))) throw invalid(`parent of ${path} missing or after it`, `${at}.path`);
    if (typeof data !== 'string' || data.length % 4 !== 0 || !BASE64.test(data)) {
      throw invalid('must be base64', `${at}.data`);
    }
    seen.add(path);
    nodes.push({ path, data });
  }
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    taken_at: d.taken_at,
    zxid: d.zxid,
    chroot: d.chroot,
    nodes,
  };
}

/** Limits of one restore transaction (ZooKeeper refuses requests over `jute.maxbuffer`, 1 MiB). */
export interface BatchLimits {
  readonly maxOps: number;
  readonly maxBytes: number;
}

/** Default: well under the server's 1 MiB request limit. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxOps: 500, maxBytes: 512 * 1024 };

/** Splits parent-first nodes into transactions within `limits`; order is kept across batches. */
export function restoreBatches(
  nodes: readonly BackupNode[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): BackupNode[][] {
  const batches: BackupNode[][] = [];
  let current: BackupNode[] = [];
  let bytes = 0;
  for (const node of parentFirst(nodes)) {
    // Decoded size plus the path and per-op framing.
    const size = Math.floor((node.data.length * 3) / 4) + node.path.length + 64;
    if (current.length > 0 && (current.length >= limits.maxOps || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(node);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
