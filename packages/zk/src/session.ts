import { WharfError } from '@wharf/model';
import type * as zookeeper from 'node-zookeeper-client';
import { rawGetAcl, rawSetAcl, toLibraryAcl, type ZkAcl, type ZkAclResult } from './acl';
import { type ZkClock } from './clock';
import { ZkConnection, type Invoker } from './connection';
import { assertDataSize, decodeJson, encodeJson, toBuffer } from './data';
import { EphemeralRegistration } from './ephemeral-node';
import { closedError } from './errors';
import { type ZkLogger } from './logger';
import { compileZkOptions, type CompiledZkOptions, type ZkSessionOptions } from './options';
import { assertZkPath, joinPath } from './paths';
import { rawChildren, rawCreate, rawDelete, rawExists, rawGet, rawMkdirp, rawMulti, rawSet } from './raw-ops';
import { type ZkServerAddress } from './server-list';
import { type ZkSessionApi } from './session-api';
import { toZkStat } from './stat';
import { ZkTransaction, type RawTxResult, type ZkTxOp } from './transaction';
import { TransactionBatcher, type BatcherStats } from './transaction-batcher';
import {
  type ZkChildren,
  type ZkConnectionEvent,
  type ZkCreateMode,
  type ZkData,
  type ZkJson,
  type ZkNode,
  type ZkSessionState,
  type ZkStat,
  type ZkStateChange,
  type ZkWatcher,
} from './types';

/** Retries of `deleteRecursive` when children keep appearing under the node being deleted. */
export const DELETE_RECURSIVE_ATTEMPTS = 5;

/**
 * A ZooKeeper session that survives its sessions: the promise API over node-zookeeper-client
 * plus the session manager (stall watchdog, rebuild after expiry, re-created ephemerals; see
 * {@link ZkConnection} and the README's state diagram). Paths are relative to the chroot.
 * Operations issued while not connected wait up to `operationTimeoutMs` for the connection,
 * then fail with WHARF_ZK_CONNECTION_LOSS; watches do not survive a new session (recipes re-arm
 * them on `reconnected`).
 */
export class ZkSession implements ZkSessionApi {
  /** The compiled options. */
  readonly options: CompiledZkOptions;
  private readonly connection: ZkConnection;
  private readonly registrations = new Set<EphemeralRegistration>();
  private startPromise: Promise<void> | null = null;
  private closePromise: Promise<void> | null = null;
  private batcher: TransactionBatcher | null = null;

  constructor(options: ZkSessionOptions) {
    this.options = compileZkOptions(options);
    this.connection = new ZkConnection(this.options);
  }

  /** The injected logger (recipes log through it unless given their own). */
  get logger(): ZkLogger {
    return this.options.logger;
  }

  /** The injected clock. */
  get clock(): ZkClock {
    return this.options.clock;
  }

  /** The current state (see {@link ZkSessionState}). */
  get state(): ZkSessionState {
    return this.connection.machine.state;
  }

  /** The current session id (16 hex digits), null before the first connection and after close. */
  get sessionId(): string | null {
    return this.connection.sessionId;
  }

  /** The servers a reconnection tries (the ensemble's members once followed; see `followEnsemble`). */
  get servers(): readonly ZkServerAddress[] {
    return this.connection.servers;
  }

  /** Number of distinct server sessions this object has had (1 after start, +1 per rebuild). */
  get sessionCount(): number {
    return this.connection.sessionCount;
  }

  /** The session password of the current session (for `expireSession` in tests). */
  get sessionPassword(): Buffer | null {
    return this.connection.sessionPassword;
  }

  /** True when `ephemeralOwner` is the current session or one this object held before. */
  isOwnSession(ephemeralOwner: string | null): boolean {
    return this.connection.isOwnSession(ephemeralOwner);
  }

  /** Subscribes to every connection event; returns an unsubscribe function. */
  onStateChange(listener: (change: ZkStateChange) => void): () => void {
    return this.connection.machine.on('stateChange', listener);
  }

  /** Subscribes to one connection event (`connected`, `suspended`, `reconnected`, `lost`, `closed`). */
  on(event: ZkConnectionEvent, listener: (change: ZkStateChange) => void): () => void {
    return this.connection.machine.on(event, listener);
  }

  /**
   * Creates the chroot if missing and connects. Resolves on the first connection; rejects with
   * WHARF_ZK_CONNECTION_LOSS after `connectTimeoutMs` (the session is then closed).
   */
  start(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(closedError('start'));
    this.startPromise ??= this.connection.start();
    return this.startPromise;
  }

  /** Closes the session (its ephemerals go with it). Idempotent. */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      for (const registration of [...this.registrations]) registration.abandon();
      this.registrations.clear();
      await this.connection.close();
    })();
    return this.closePromise;
  }

  /**
   * Group commit from now on: the writes (`create` without an explicit ACL, `set`, `delete`,
   * transactions) issued in one turn of the event loop go out as one MULTI, each caller getting
   * the result or error its write would have had alone (see {@link TransactionBatcher}). For a
   * process whose many concurrent tasks each write a little (the constructor's attempts).
   */
  enableGroupCommit(): void {
    this.batcher ??= new TransactionBatcher((ops) => this.multi(ops));
  }

  /** What group commit did so far (undefined when it is off). */
  get groupCommitStats(): Readonly<BatcherStats> | undefined {
    return this.batcher?.stats;
  }

  /**
   * Creates a node; parents must exist. Returns the created path. `acl` defaults to ZooKeeper's
   * open ACL (world:anyone, all permissions).
   */
  async create(
    path: string,
    data?: ZkData,
    mode: ZkCreateMode = 'persistent',
    acl?: readonly ZkAcl[],
  ): Promise<string> {
    const buf = this.checkedData(path, toBuffer(data));
    const libraryAcl = this.libraryAclFor(path, acl);
    const alone = (): Promise<string> =>
      this.run('create', path, (raw) => rawCreate(raw.client, path, buf, mode, libraryAcl));
    if (this.batcher === null || acl !== undefined) return alone();
    return this.batcher.submit([{ op: 'create', path, data: buf, mode }], alone, (r) => r[0]?.path ?? path);
  }

  /** Reads a node's ACL and stat. */
  async getAcl(path: string): Promise<ZkAclResult> {
    assertZkPath(path);
    return this.run('getAcl', path, (raw) => rawGetAcl(raw.client, path));
  }

  /** Replaces a node's ACL if its ACL version (`stat.aversion`) is `aversion` (-1: any). */
  async setAcl(path: string, acl: readonly ZkAcl[], aversion: number): Promise<ZkStat> {
    assertZkPath(path);
    const libraryAcl = toLibraryAcl(acl); // validated before waiting for a connection
    return this.run('setAcl', path, (raw) => rawSetAcl(raw.client, path, libraryAcl, aversion));
  }

  /**
   * Creates `path` and any missing parents as empty persistent nodes. With an ACL policy each
   * node gets its own ACL (the library's mkdirp would give every level the same one).
   */
  async mkdirp(path: string): Promise<void> {
    assertZkPath(path);
    if (path === '/') return;
    if (this.options.acl === null) {
      await this.run('mkdirp', path, (raw) => rawMkdirp(raw.client, path));
      return;
    }
    const parts = path.split('/').filter((part) => part !== '');
    for (let i = 1; i <= parts.length; i++) {
      const level = `/${parts.slice(0, i).join('/')}`;
      // exists first: a reader without `create` on an existing parent must not fail with NO_AUTH.
      if ((await this.exists(level)) !== null) continue;
      await this.create(level).catch((err: unknown) => {
        if (!(err instanceof WharfError && err.code === 'WHARF_ZK_NODE_EXISTS')) throw err;
      });
    }
  }

  /** Reads data and stat; `watcher` fires once on data change or delete. */
  async get(path: string, watcher?: ZkWatcher): Promise<ZkNode> {
    assertZkPath(path);
    return this.run('get', path, (raw, router) => rawGet(raw.client, router, path, watcher));
  }

  /** Writes data if the node is at `version` (-1: any). Returns the new stat. */
  async set(path: string, data: ZkData, version: number): Promise<ZkStat> {
    const buf = this.checkedData(path, toBuffer(data));
    const alone = (): Promise<ZkStat> =>
      this.run('set', path, (raw) => rawSet(raw.client, path, buf, version));
    if (this.batcher === null) return alone();
    return this.batcher.submit([{ op: 'set', path, data: buf, version }], alone, (r) => statOf(r[0]));
  }

  /** Deletes a childless node at `version` (-1: any). */
  async delete(path: string, version = -1): Promise<void> {
    assertZkPath(path);
    const alone = (): Promise<void> =>
      this.run('delete', path, (raw) => rawDelete(raw.client, path, version));
    if (this.batcher === null) return alone();
    return this.batcher.submit([{ op: 'delete', path, version }], alone, () => undefined);
  }

  /** Deletes a node and everything below it; a missing node is fine. */
  async deleteRecursive(path: string): Promise<void> {
    assertZkPath(path);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deleteTree(path);
        return;
      } catch (err) {
        if (
          !(err instanceof WharfError && err.code === 'WHARF_ZK_NOT_EMPTY') ||
          attempt >= DELETE_RECURSIVE_ATTEMPTS
        ) {
          throw err;
        }
      }
    }
  }

  /** Stat of the node or null; `watcher` fires once on create, data change or delete. */
  async exists(path: string, watcher?: ZkWatcher): Promise<ZkStat | null> {
    assertZkPath(path);
    return this.run('exists', path, (raw, router) => rawExists(raw.client, router, path, watcher));
  }

  /** Sorted child names; `watcher` fires once when the set of children changes or the node is deleted. */
  async children(path: string, watcher?: ZkWatcher): Promise<string[]> {
    return (await this.childrenWithStat(path, watcher)).children;
  }

  /** Sorted child names with the parent's stat. */
  async childrenWithStat(path: string, watcher?: ZkWatcher): Promise<ZkChildren> {
    assertZkPath(path);
    return this.run('children', path, (raw, router) => rawChildren(raw.client, router, path, watcher));
  }

  /**
   * Arms a persistent recursive watch (ZooKeeper 3.6+, `persistent-watch.ts`): `watcher` hears of
   * every node created, deleted or changed at or below `path`, by name, until the connection
   * drops; re-add it on `reconnected`. An older server answers WHARF_ZK_ERROR (zk UNIMPLEMENTED).
   */
  async addRecursiveWatch(path: string, watcher: ZkWatcher): Promise<void> {
    assertZkPath(path);
    return this.run('addWatch', path, (raw) => (done) => {
      if (raw.persistentWatches === null)
        done(new WharfError('WHARF_ZK_ERROR', 'persistent watches unavailable'));
      else raw.persistentWatches.add(path, watcher)(done);
    });
  }

  /** Stops routing `path`'s recursive events to `watcher` (local: the server's watch ends with the connection). */
  async removeRecursiveWatch(path: string, watcher: ZkWatcher): Promise<void> {
    return this.run('removeWatch', path, (raw) => (done) => {
      raw.persistentWatches?.remove(path, watcher);
      done(null);
    });
  }

  /** Starts a MULTI: all operations apply or none. */
  transaction(): ZkTransaction {
    return new ZkTransaction((ops) => {
      const alone = (): Promise<readonly RawTxResult[]> => this.multi(ops);
      return this.batcher === null ? alone() : this.batcher.submit(ops, alone, (r) => r);
    }, this.options.maxDataBytes);
  }

  /** One MULTI as it is (per-op results also when it failed). */
  private multi(ops: readonly ZkTxOp[]): Promise<readonly RawTxResult[]> {
    return this.run('transaction', ops[0]?.path, (raw) =>
      rawMulti(raw.client, ops, (path) => this.libraryAclFor(path, undefined)),
    );
  }

  /** Reads and parses a JSON document; `parse` validates (e.g. the model's `parseDocument`). */
  async getJson<T = unknown>(
    path: string,
    parse?: (value: unknown) => T,
    watcher?: ZkWatcher,
  ): Promise<ZkJson<T>> {
    const node = await this.get(path, watcher);
    const value = decodeJson(path, node.data);
    return { value: parse ? parse(value) : (value as T), stat: node.stat };
  }

  /** Creates a node holding `value` as JSON. */
  async createJson(path: string, value: unknown, mode: ZkCreateMode = 'persistent'): Promise<string> {
    return this.create(path, encodeJson(value), mode);
  }

  /** Writes `value` as JSON if the node is at `version`. */
  async setJson(path: string, value: unknown, version: number): Promise<ZkStat> {
    return this.set(path, encodeJson(value), version);
  }

  /**
   * Creates an ephemeral node (parents as needed) that is re-created after session loss or an
   * outside delete, until the returned registration is closed.
   */
  async registerEphemeral(path: string, data?: ZkData): Promise<EphemeralRegistration> {
    const buf = this.checkedData(path, toBuffer(data));
    const registration = new EphemeralRegistration(this, path, buf, () =>
      this.registrations.delete(registration),
    );
    this.registrations.add(registration);
    try {
      await registration.start();
    } catch (err) {
      await registration.close();
      throw err;
    }
    return registration;
  }

  private run<T>(op: string, path: string | undefined, invoker: Invoker<T>): Promise<T> {
    return this.connection.run(op, path, invoker);
  }

  /** The explicit ACL, else the policy's (secure mode), else undefined: the open ACL. */
  private libraryAclFor(path: string, acl: readonly ZkAcl[] | undefined): zookeeper.ACL[] | undefined {
    const chosen = acl ?? this.options.acl?.(path);
    return chosen === undefined ? undefined : toLibraryAcl(chosen);
  }

  private checkedData(path: string, data: Buffer): Buffer {
    assertZkPath(path);
    assertDataSize(path, data.length, this.options.maxDataBytes);
    return data;
  }

  private async deleteTree(path: string): Promise<void> {
    let names: string[];
    try {
      names = await this.children(path);
    } catch (err) {
      if (err instanceof WharfError && err.code === 'WHARF_ZK_NO_NODE') return;
      throw err;
    }
    await Promise.all(names.map((name) => this.deleteTree(joinPath(path, name))));
    if (path === '/') return;
    try {
      await this.delete(path);
    } catch (err) {
      if (!(err instanceof WharfError && err.code === 'WHARF_ZK_NO_NODE')) throw err;
    }
  }
}

/** The stat of a `set` inside a successful MULTI (the server always sends it). */
function statOf(result: RawTxResult | undefined): ZkStat {
  if (result?.stat === undefined) throw new WharfError('WHARF_ZK_ERROR', 'transaction result missing stat');
  return toZkStat(result.stat);
}
