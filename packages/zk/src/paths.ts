import { WharfError } from '@wharf/model';

/** Digits ZooKeeper appends to a sequential node's name. */
export const SEQUENCE_DIGITS = 10;

const SEQUENCE_SUFFIX = new RegExp(`(\\d{${SEQUENCE_DIGITS}})$`);

/**
 * Throws WHARF_ZK_ERROR unless `path` is a valid absolute znode path: starts with `/`, no empty,
 * `.` or `..` segment, no trailing slash (except the root), no NUL.
 */
export function assertZkPath(path: string): void {
  const bad = (reason: string): WharfError =>
    new WharfError('WHARF_ZK_ERROR', 'invalid znode path', { details: { path, reason } });
  if (typeof path !== 'string' || !path.startsWith('/')) throw bad('must start with /');
  if (path === '/') return;
  if (path.endsWith('/')) throw bad('must not end with /');
  if (path.includes('\u0000')) throw bad('must not contain NUL');
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') throw bad('empty segment');
    if (segment === '.' || segment === '..') throw bad('relative segment');
  }
}

/** Joins a parent path and child names: `joinPath('/a', 'b', 'c')` → `/a/b/c`. */
export function joinPath(parent: string, ...names: string[]): string {
  let out = parent === '/' ? '' : parent;
  for (const name of names) out += `/${name}`;
  return out === '' ? '/' : out;
}

/** The parent of a path (`/` for a top-level node and for the root). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last segment of a path (`''` for the root). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Depth of `path` below `root`: 0 for the root itself, 1 for its children; -1 when outside. */
export function depthBelow(root: string, path: string): number {
  if (path === root) return 0;
  const prefix = root === '/' ? '/' : `${root}/`;
  if (!path.startsWith(prefix)) return -1;
  return path.slice(prefix.length).split('/').length;
}

/** The sequence number of a sequential node's name, or -1 when the name has none. */
export function sequenceOf(name: string): number {
  const m = SEQUENCE_SUFFIX.exec(name);
  return m?.[1] === undefined ? -1 : Number(m[1]);
}

/**
 * Normalises a chroot option: `''`/`'/'` mean none (returned as `''`), otherwise a valid
 * absolute path without a trailing slash.
 */
export function normalizeChroot(chroot: string): string {
  if (chroot === '' || chroot === '/') return '';
  assertZkPath(chroot);
  return chroot;
}
