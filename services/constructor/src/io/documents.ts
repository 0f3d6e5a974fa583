/**
 * Typed, validated document reads and writes over ZooKeeper: every write is validated
 * (`serializeDocument`) and conditional on a version unless it creates the node.
 */
import {
  isWharfError,
  parseDocument,
  serializeDocument,
  type DocumentKind,
  type DocumentTypes,
} from '@wharf/model';
import { type ZkPort } from './zk-port';

/** A document with the znode version it was read at. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** Reads and parses `path`; null when the node does not exist. Throws `WHARF_VALIDATION` on bad data. */
export async function readDocument<K extends DocumentKind>(
  zk: ZkPort,
  kind: K,
  path: string,
): Promise<Versioned<DocumentTypes[K]> | null> {
  try {
    const node = await zk.get(path);
    return { value: parseDocument(kind, node.data), version: node.stat.version };
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return null;
    throw err;
  }
}

/** Creates `path` with a document; false when it already exists. */
export async function createDocument<K extends DocumentKind>(
  zk: ZkPort,
  kind: K,
  path: string,
  value: DocumentTypes[K],
): Promise<boolean> {
  try {
    await zk.create(path, serializeDocument(kind, value));
    return true;
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) return false;
    throw err;
  }
}

/** Writes a document at `version` (-1: any) and returns the new version. */
export async function writeDocument<K extends DocumentKind>(
  zk: ZkPort,
  kind: K,
  path: string,
  value: DocumentTypes[K],
  version: number,
): Promise<number> {
  const stat = await zk.set(path, serializeDocument(kind, value), version);
  return stat.version;
}

/** Creates or overwrites `path` (for documents only this constructor writes, such as routes). */
export async function putDocument<K extends DocumentKind>(
  zk: ZkPort,
  kind: K,
  path: string,
  value: DocumentTypes[K],
): Promise<void> {
  if (await createDocument(zk, kind, path, value)) return;
  await writeDocument(zk, kind, path, value, -1);
}

/** Deletes `path` if it exists (any version). */
export async function deleteIfExists(zk: ZkPort, path: string): Promise<boolean> {
  try {
    await zk.delete(path);
    return true;
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return false;
    throw err;
  }
}

/** Children of `path`; none when it does not exist. */
export async function childrenOrNone(zk: ZkPort, path: string): Promise<string[]> {
  try {
    return await zk.children(path);
  } catch (err) {
    if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return [];
    throw err;
  }
}
