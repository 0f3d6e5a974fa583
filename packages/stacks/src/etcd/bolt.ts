/**
 * A read-only reader of the bbolt file inside an etcd snapshot, enough to list every live key:
 * the `key` bucket maps revisions (8-byte main + `_` + 8-byte sub, plus `t` for a tombstone) to
 * protobuf `mvccpb.KeyValue`s; replaying them in revision order gives the keys at the snapshot's
 * revision. Every offset is bounds-checked: a damaged file throws `WHARF_SNAPSHOT_CORRUPT`, never
 * reads garbage. Layout (bbolt `page.go`, `meta` in `db.go`):
 *
 * ```
 * page   = id u64 | flags u16 | count u16 | overflow u32 | elements…
 * meta   = magic u32 | version u32 | pageSize u32 | flags u32 | root{pgid u64, seq u64}
 *          | freelist u64 | pgid u64 | txid u64 | checksum u64 (FNV-1a 64 of the 56 bytes before)
 * branch = pos u32 | ksize u32 | pgid u64          (pos: from the element to its key)
 * leaf   = flags u32 | pos u32 | ksize u32 | vsize u32   (flags & 1: the value is a bucket)
 * bucket = root pgid u64 | sequence u64 [| inline page when root = 0]
 * ```
 */
import { WharfError } from '@wharf/model';

const PAGE_HEADER = 16;
const ELEMENT = 16;
const BRANCH_PAGE = 0x01;
const LEAF_PAGE = 0x02;
const META_PAGE = 0x04;
const BUCKET_LEAF = 0x01;
const BOLT_MAGIC = 0xed0cdaed;
const META_CHECKED_BYTES = 56;
/** Deepest B+tree accepted: far above any real file, low enough to stop a cycle of pages. */
const MAX_DEPTH = 64;
const KEY_BUCKET = 'key';
const TOMBSTONE_REVISION_BYTES = 18;

/** One live key of a snapshot (raw bytes: etcd keys and values need not be UTF-8). */
export interface SnapshotKeyValue {
  key: Buffer;
  value: Buffer;
}

function corrupt(reason: string): WharfError {
  return new WharfError('WHARF_SNAPSHOT_CORRUPT', `snapshot database is damaged: ${reason}`, {
    details: { reason },
  });
}

function fnv1a64(bytes: Buffer): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

/** A bounds-checked view of the bbolt file. */
class BoltFile {
  readonly pageSize: number;
  readonly root: bigint;

  constructor(private readonly db: Buffer) {
    if (db.length < 2 * PAGE_HEADER + 2 * 80) throw corrupt('too short');
    const metas = [0, 1].map((i) => this.meta(i)).filter((m) => m !== undefined);
    const best = metas.sort((a, b) => (a.txid > b.txid ? -1 : 1))[0];
    if (best === undefined) throw corrupt('no valid meta page');
    this.pageSize = best.pageSize;
    this.root = best.root;
  }

  private meta(index: number) {
    // Page 1's offset needs the page size, which page 0 states; a valid meta repeats it.
    const pageSize = this.db.readUInt32LE(PAGE_HEADER + 8);
    const at = index * pageSize;
    if (pageSize < 512 || pageSize > 65536 || at + PAGE_HEADER + 72 > this.db.length) return undefined;
    const flags = this.db.readUInt16LE(at + 8);
    const m = at + PAGE_HEADER;
    if (!(flags & META_PAGE) || this.db.readUInt32LE(m) !== BOLT_MAGIC) return undefined;
    const sum = this.db.readBigUInt64LE(m + META_CHECKED_BYTES);
    if (fnv1a64(this.db.subarray(m, m + META_CHECKED_BYTES)) !== sum) return undefined;
    return {
      pageSize: this.db.readUInt32LE(m + 8),
      root: this.db.readBigUInt64LE(m + 16),
      txid: this.db.readBigUInt64LE(m + 48),
    };
  }

  /** The bytes of page `pgid` including its overflow pages. */
  page(pgid: bigint): Buffer {
    const at = Number(pgid) * this.pageSize;
    if (pgid < 2n || at + PAGE_HEADER > this.db.length) throw corrupt(`page ${pgid} out of range`);
    const overflow = this.db.readUInt32LE(at + 12);
    const end = at + (overflow + 1) * this.pageSize;
    if (end > this.db.length) throw corrupt(`page ${pgid} overflows the file`);
    return this.db.subarray(at, end);
  }
}

function slice(page: Buffer, from: number, length: number): Buffer {
  if (from < 0 || length < 0 || from + length > page.length) throw corrupt('element out of its page');
  return page.subarray(from, from + length);
}

/** Calls `visit` for every leaf element of the tree rooted at `page`, in key order. */
function walk(
  file: BoltFile,
  page: Buffer,
  depth: number,
  visit: (key: Buffer, value: Buffer, flags: number) => void,
): void {
  if (depth > MAX_DEPTH) throw corrupt('tree too deep');
  const flags = slice(page, 8, 2).readUInt16LE(0);
  const count = page.readUInt16LE(10);
  for (let i = 0; i < count; i++) {
    const el = PAGE_HEADER + i * ELEMENT;
    const head = slice(page, el, ELEMENT);
    if (flags & BRANCH_PAGE) {
      walk(file, file.page(head.readBigUInt64LE(8)), depth + 1, visit);
    } else if (flags & LEAF_PAGE) {
      const pos = head.readUInt32LE(4);
      const ksize = head.readUInt32LE(8);
      const vsize = head.readUInt32LE(12);
      visit(slice(page, el + pos, ksize), slice(page, el + pos + ksize, vsize), head.readUInt32LE(0));
    } else {
      throw corrupt('unexpected page type in a tree');
    }
  }
}

/** The root page of a bucket from its leaf value (inline when its root pgid is 0). */
function bucketPage(file: BoltFile, value: Buffer): Buffer {
  const root = slice(value, 0, 16).readBigUInt64LE(0);
  return root === 0n ? value.subarray(16) : file.page(root);
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const byte = buf[i] as number;
    // Values past 2^53 only occur in fields this reader skips; precision loss there is harmless.
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [result, i + 1];
  }
  throw corrupt('bad varint in a key-value record');
}

/** Decodes the `key` (1) and `value` (5) fields of an `mvccpb.KeyValue`. */
export function decodeKeyValue(buf: Buffer): SnapshotKeyValue {
  let key: Buffer | undefined;
  let value: Buffer = Buffer.alloc(0);
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = readVarint(buf, at);
    const wire = tag % 8;
    const field = Math.floor(tag / 8);
    if (wire === 0) {
      at = readVarint(buf, next)[1];
    } else if (wire === 2) {
      const [length, start] = readVarint(buf, next);
      const bytes = slice(buf, start, length);
      if (field === 1) key = bytes;
      if (field === 5) value = bytes;
      at = start + length;
    } else {
      throw corrupt(`unexpected protobuf wire type ${wire}`);
    }
  }
  if (key === undefined) throw corrupt('key-value record without a key');
  return { key: Buffer.from(key), value: Buffer.from(value) };
}

/**
 * Every live key of an etcd backend database (`db` without the snapshot's SHA-256 trailer), in
 * key order. Leases are not kept: a restored key is written without its lease.
 */
export function readEtcdKeys(db: Buffer): SnapshotKeyValue[] {
  const file = new BoltFile(db);
  let keyBucket: Buffer | undefined;
  walk(file, file.page(file.root), 0, (name, value, flags) => {
    if (flags & BUCKET_LEAF && name.toString('latin1') === KEY_BUCKET) keyBucket = value;
  });
  if (keyBucket === undefined) throw corrupt('no key bucket');
  const live = new Map<string, SnapshotKeyValue>();
  walk(file, bucketPage(file, keyBucket), 0, (revision, value) => {
    const kv = decodeKeyValue(value);
    const id = kv.key.toString('base64');
    if (revision.length === TOMBSTONE_REVISION_BYTES) live.delete(id);
    else live.set(id, kv);
  });
  return [...live.values()].sort((a, b) => Buffer.compare(a.key, b.key));
}
