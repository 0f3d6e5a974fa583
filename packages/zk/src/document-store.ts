/**
 * Typed znode documents: reads by document kind, validated through a {@link DocumentDecoder};
 * `NO_NODE` reads as `undefined`; writes validated and conditional on a version unless they
 * create or deliberately overwrite; another service's bad data logged once and skipped where the
 * caller asks for that (`readOrSkip`, `readNode`, `decodeOrSkip`), thrown where it cannot be.
 */
import { createHash } from 'node:crypto';
import { isWharfError, type DocumentKind, type DocumentTypes } from '@wharf/model';
import { SYSTEM_CLOCK, type ZkClock } from './clock';
import { BadDocumentLog, MODEL_DECODER, type DocumentDecoder } from './document-decoder';
import { type DocumentPort, type DocumentTxPort, type VersionStat } from './document-port';
import {
  updateDocument,
  type DocumentUpdateFn,
  type DocumentUpdateOptions,
  type DocumentUpdateResult,
} from './document-update';
import { NOOP_LOGGER, type ZkLogger } from './logger';
import { type ZkOpResult } from './transaction';
import { type ZkCreateMode, type ZkData, type ZkStat } from './types';

/** A document with the znode stat it was read at. */
export interface StoredDocument<T, S extends VersionStat = ZkStat> {
  readonly value: T;
  readonly version: number;
  readonly stat: S;
}

/** A znode read whatever its data: `value` is undefined when the document is bad (logged). */
export interface StoredNode<T, S extends VersionStat = ZkStat> {
  readonly value: T | undefined;
  readonly version: number;
  readonly stat: S;
}

/** Dependencies of a {@link DocumentStore}; all optional. */
export interface DocumentStoreOptions {
  /** Where bad documents are reported (once each). */
  logger?: ZkLogger;
  /** Sleeps between `updateDocument` retries. */
  clock?: ZkClock;
  /** Default: the model's schemas. */
  decoder?: DocumentDecoder;
}

type Doc<K extends DocumentKind> = DocumentTypes[K];

/** Typed document reads and writes over a session (or any {@link DocumentPort}). */
export class DocumentStore<S extends VersionStat = ZkStat, R = ZkOpResult[]> {
  private readonly decoder: DocumentDecoder;
  private readonly badLog: BadDocumentLog;
  private readonly clock: ZkClock;

  constructor(
    private readonly zk: DocumentPort<S, R>,
    options: DocumentStoreOptions = {},
  ) {
    this.decoder = options.decoder ?? MODEL_DECODER;
    this.badLog = new BadDocumentLog(options.logger ?? NOOP_LOGGER);
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** Decodes bytes read elsewhere (a tree cache); throws `WHARF_VALIDATION` on bad data. */
  decode<K extends DocumentKind>(kind: K, data: Buffer): Doc<K> {
    return this.decoder.decode(kind, data);
  }

  /** Decodes bytes read elsewhere; bad data is logged once (per path and bytes) and skipped. */
  decodeOrSkip<K extends DocumentKind>(kind: K, path: string, data: Buffer): Doc<K> | undefined {
    try {
      const value = this.decoder.decode(kind, data);
      this.badLog.clear(path);
      return value;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_VALIDATION')) throw err;
      this.badLog.report(path, kind, fingerprint(data), err.details);
      return undefined;
    }
  }

  /** Validates and serialises a document (validate on write); throws `WHARF_VALIDATION`. */
  encode<K extends DocumentKind>(kind: K, value: Doc<K>): Buffer {
    return this.decoder.encode(kind, value);
  }

  /** The document at `path`, or undefined when there is none. Throws `WHARF_VALIDATION` on bad data. */
  async read<K extends DocumentKind>(kind: K, path: string): Promise<StoredDocument<Doc<K>, S> | undefined> {
    const node = await this.getOrUndefined(path);
    if (node === undefined) return undefined;
    return { value: this.decoder.decode(kind, node.data), version: node.stat.version, stat: node.stat };
  }

  /** The document at `path`; undefined when missing or bad (bad data logged once). */
  async readOrSkip<K extends DocumentKind>(
    kind: K,
    path: string,
  ): Promise<StoredDocument<Doc<K>, S> | undefined> {
    const node = await this.readNode(kind, path);
    if (node?.value === undefined) return undefined;
    return { value: node.value, version: node.version, stat: node.stat };
  }

  /** The znode and its document; `value` undefined when bad (logged once), so it can be replaced. */
  async readNode<K extends DocumentKind>(kind: K, path: string): Promise<StoredNode<Doc<K>, S> | undefined> {
    const node = await this.getOrUndefined(path);
    if (node === undefined) return undefined;
    const value = this.decodeOrSkip(kind, path, node.data);
    return { value, version: node.stat.version, stat: node.stat };
  }

  /** Raw data and stat of `path`, or undefined when there is none (for non-document znodes). */
  async readRaw(path: string): Promise<{ readonly data: Buffer; readonly stat: S } | undefined> {
    return this.getOrUndefined(path);
  }

  /** Child names of `path`; none when it does not exist. */
  async readChildren(path: string): Promise<string[]> {
    try {
      return await this.zk.children(path);
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return [];
      throw err;
    }
  }

  /** Creates `path` holding the document; throws `WHARF_ZK_NODE_EXISTS` when it exists. */
  async create<K extends DocumentKind>(
    kind: K,
    path: string,
    value: Doc<K>,
    mode: ZkCreateMode = 'persistent',
  ): Promise<string> {
    return this.zk.create(path, this.decoder.encode(kind, value), mode);
  }

  /** Creates `path` holding the document; false when it already exists. */
  async createIfAbsent<K extends DocumentKind>(kind: K, path: string, value: Doc<K>): Promise<boolean> {
    try {
      await this.create(kind, path, value);
      return true;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) return false;
      throw err;
    }
  }

  /** Writes the document if the znode is at `version` (-1: any); returns the new version. */
  async set<K extends DocumentKind>(kind: K, path: string, value: Doc<K>, version: number): Promise<number> {
    return (await this.zk.set(path, this.decoder.encode(kind, value), version)).version;
  }

  /** Creates or overwrites `path`: only for documents this process alone writes (routes, own status). */
  async put<K extends DocumentKind>(kind: K, path: string, value: Doc<K>): Promise<void> {
    if (await this.createIfAbsent(kind, path, value)) return;
    await this.set(kind, path, value, -1);
  }

  /** Deletes `path` at `version` (-1: any); false when it did not exist. */
  async delete(path: string, version = -1): Promise<boolean> {
    try {
      await this.zk.delete(path, version);
      return true;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return false;
      throw err;
    }
  }

  /** A MULTI whose document operations are validated on the way in. */
  transaction(): DocumentTransaction<R> {
    return new DocumentTransaction(this.zk.transaction(), this.decoder);
  }

  /**
   * Versioned read-modify-write: `fn` sees the current document and its version; the result is
   * written conditionally on that version, re-read and retried (bounded, jittered) on a conflict.
   */
  async updateDocument<K extends DocumentKind>(
    kind: K,
    path: string,
    fn: DocumentUpdateFn<Doc<K>>,
    options: DocumentUpdateOptions = {},
  ): Promise<DocumentUpdateResult<Doc<K>>> {
    return updateDocument(
      {
        path,
        read: async () => {
          const doc = await this.read(kind, path);
          return doc && { value: doc.value, version: doc.version };
        },
        create: (value) => this.createWithParents(kind, path, value),
        set: (value, version) => this.set(kind, path, value, version),
      },
      fn,
      { clock: this.clock, ...options },
    );
  }

  private async createWithParents<K extends DocumentKind>(
    kind: K,
    path: string,
    value: Doc<K>,
  ): Promise<void> {
    try {
      await this.create(kind, path, value);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
      await this.zk.mkdirp(path.slice(0, path.lastIndexOf('/')) || '/');
      await this.create(kind, path, value);
    }
  }

  private async getOrUndefined(
    path: string,
  ): Promise<{ readonly data: Buffer; readonly stat: S } | undefined> {
    try {
      return await this.zk.get(path);
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
      throw err;
    }
  }
}

/** A MULTI builder over typed documents: all operations apply or none do. */
export class DocumentTransaction<R = ZkOpResult[]> {
  constructor(
    private readonly tx: DocumentTxPort<R>,
    private readonly decoder: DocumentDecoder,
  ) {}

  /** Adds the create of a document. */
  create<K extends DocumentKind>(kind: K, path: string, value: Doc<K>, mode?: ZkCreateMode): this {
    this.tx.create(path, this.decoder.encode(kind, value), mode);
    return this;
  }

  /** Adds a write of a document conditional on `version` (-1: any). */
  set<K extends DocumentKind>(kind: K, path: string, value: Doc<K>, version: number): this {
    this.tx.set(path, this.decoder.encode(kind, value), version);
    return this;
  }

  /** Adds the create of a znode that holds no document (a parent, a marker). */
  createNode(path: string, data?: ZkData, mode?: ZkCreateMode): this {
    this.tx.create(path, data, mode);
    return this;
  }

  /** Adds a conditional write of raw data (a znode that holds no document). */
  setNode(path: string, data: ZkData, version: number): this {
    this.tx.set(path, data, version);
    return this;
  }

  /** Adds a delete (`version` -1: any). */
  delete(path: string, version = -1): this {
    this.tx.delete(path, version);
    return this;
  }

  /** Adds a version check. */
  check(path: string, version: number): this {
    this.tx.check(path, version);
    return this;
  }

  /** Applies every operation atomically (throws `WHARF_ZK_TRANSACTION_FAILED` otherwise). */
  commit(): Promise<R> {
    return this.tx.commit();
  }
}

/** A short fingerprint of bytes, so a remembered bad document costs 40 characters, not its size. */
function fingerprint(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}
