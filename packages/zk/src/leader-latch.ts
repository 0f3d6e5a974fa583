import { randomUUID } from 'node:crypto';
import { isWharfError } from '@wharf/model';
import { type ZkLogger } from './logger';
import { guidOf, latchPosition, protectedLatchName, sortBySequence } from './latch-nodes';
import { assertZkPath, baseName, joinPath } from './paths';
import { type ZkSessionApi } from './session-api';
import { TypedEmitter } from './typed-emitter';
import { type ZkStateChange } from './types';

/** Pause before retrying after an unexpected error (not a connection loss, which waits for reconnect). */
export const LATCH_RETRY_DELAY_MS = 1000;

/** Options for a {@link LeaderLatch}. */
export interface LeaderLatchOptions {
  logger?: ZkLogger;
}

/** `latent` before start(), `started`, `closed` after close(). */
export type LeaderLatchState = 'latent' | 'started' | 'closed';

/** Events of a {@link LeaderLatch}. */
export type LeaderLatchEvents = { isLeader: []; notLeader: [] };

/** A contender as read from ZooKeeper. */
export interface LatchParticipant {
  readonly id: string;
  readonly path: string;
  readonly isLeader: boolean;
}

/**
 * Curator's LeaderLatch: every contender creates an EPHEMERAL_SEQUENTIAL node under `latchPath`;
 * the lowest sequence leads and each other contender watches only its predecessor. Leadership is
 * dropped on `suspended`/`lost` (Curator's standard policy); after a reconnect in the same session
 * it is re-checked, after a new session the contender re-enters at the back of the line.
 */
export class LeaderLatch extends TypedEmitter<LeaderLatchEvents> {
  private current: LeaderLatchState = 'latent';
  private leader = false;
  private ourPathValue: string | null = null;
  private readonly guids = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  private needReset = false;
  private needCheck = false;
  private loop: Promise<void> | null = null;
  private readonly logger: ZkLogger;
  private readonly watcher = (): void => this.kick('check');

  constructor(
    private readonly session: ZkSessionApi,
    /** Parent node of the contenders, e.g. `/constructors/leader`. */
    readonly latchPath: string,
    /** This contender's id, stored as the node's data. */
    readonly id: string,
    options: LeaderLatchOptions = {},
  ) {
    super(options.logger ?? session.logger);
    assertZkPath(latchPath);
    this.logger = options.logger ?? session.logger;
  }

  /** The latch's state. */
  get state(): LeaderLatchState {
    return this.current;
  }

  /** Our node's path while we hold one. */
  get ourPath(): string | null {
    return this.ourPathValue;
  }

  /** True while this contender leads. Fence leader-only writes with znode versions anyway. */
  isLeader(): boolean {
    return this.leader;
  }

  /** Joins the election; resolves once our node exists and our position is known. */
  async start(): Promise<void> {
    if (this.current !== 'latent') return;
    this.current = 'started';
    this.unsubscribe = this.session.onStateChange((change) => this.onStateChange(change));
    await this.session.mkdirp(this.latchPath);
    this.kick('reset');
    await this.loop;
  }

  /** Leaves the election: drops leadership and deletes our node. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.setLeadership(false);
    await this.loop?.catch(() => undefined);
    const path = this.ourPathValue;
    this.ourPathValue = null;
    if (path !== null) {
      await this.session.delete(path).catch((err: unknown) => {
        this.logger.debug('leader latch node delete failed', { path, err });
      });
    }
    this.removeAllListeners();
  }

  /** Resolves true once leader, false after `timeoutMs` or on close. */
  awaitLeadership(timeoutMs: number): Promise<boolean> {
    if (this.leader) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.once('isLeader', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Reads every contender in line order (the first is the leader). */
  async participants(): Promise<LatchParticipant[]> {
    const names = await this.session.children(this.latchPath);
    const out: LatchParticipant[] = [];
    for (const [i, name] of sortBySequence(names).entries()) {
      const path = joinPath(this.latchPath, name);
      try {
        const node = await this.session.get(path);
        out.push({ id: node.data.toString('utf8'), path, isLeader: i === 0 });
      } catch (err) {
        if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
      }
    }
    return out;
  }

  private onStateChange(change: ZkStateChange): void {
    if (this.current !== 'started') return;
    if (change.event === 'suspended' || change.event === 'lost' || change.event === 'closed')
      this.setLeadership(false);
    if (change.event === 'reconnected') this.kick(change.newSession ? 'reset' : 'check');
  }

  private kick(what: 'reset' | 'check'): void {
    if (this.current !== 'started') return;
    if (what === 'reset') this.needReset = true;
    else this.needCheck = true;
    if (this.loop !== null) return;
    this.loop = this.runLoop().finally(() => {
      this.loop = null;
      // Work that arrived after the loop's last check (no lost wake-ups).
      if ((this.needReset || this.needCheck) && this.session.state === 'connected') this.kick('check');
    });
  }

  private async runLoop(): Promise<void> {
    while (this.current === 'started' && (this.needReset || this.needCheck)) {
      try {
        if (this.needReset) {
          this.needReset = false;
          await this.reset();
        } else {
          this.needCheck = false;
          await this.check();
        }
      } catch (err) {
        this.setLeadership(false);
        this.needCheck = true;
        if (isWharfError(err, 'WHARF_ZK_CONNECTION_LOSS', 'WHARF_ZK_SESSION_EXPIRED', 'WHARF_ZK_CLOSED')) {
          if (this.session.state === 'connected') continue; // the failure predates the reconnect
          this.logger.warn('leader latch waiting for connection', { path: this.latchPath, id: this.id });
          return; // `reconnected` kicks us again
        }
        this.logger.error('leader latch error', { path: this.latchPath, id: this.id, err });
        await this.session.clock.sleep(LATCH_RETRY_DELAY_MS);
      }
    }
  }

  private async reset(): Promise<void> {
    this.setLeadership(false);
    const old = this.ourPathValue;
    this.ourPathValue = null;
    if (old !== null) await this.deleteQuietly(old);
    const guid = randomUUID();
    this.guids.add(guid);
    const stem = joinPath(this.latchPath, protectedLatchName(guid));
    try {
      this.ourPathValue = await this.session.create(stem, this.id, 'ephemeral_sequential');
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_CONNECTION_LOSS')) throw err;
      this.ourPathValue = await this.findProtected(guid); // the create may have gone through
      if (this.ourPathValue === null) throw err;
    }
    await this.removeStale(guid);
    this.logger.debug('leader latch node created', { path: this.ourPathValue, id: this.id });
    await this.check();
  }

  private async check(): Promise<void> {
    const ours = this.ourPathValue;
    if (ours === null) {
      this.needReset = true;
      return;
    }
    const position = latchPosition(await this.session.children(this.latchPath), baseName(ours));
    switch (position.kind) {
      case 'missing':
        this.needReset = true;
        return;
      case 'leader':
        this.setLeadership(this.session.state === 'connected');
        return;
      case 'follower': {
        this.setLeadership(false);
        const stat = await this.session.exists(joinPath(this.latchPath, position.predecessor), this.watcher);
        if (stat === null) this.needCheck = true;
        return;
      }
    }
  }

  private async findProtected(guid: string): Promise<string | null> {
    const names = await this.session.children(this.latchPath);
    const name = names.find((n) => guidOf(n) === guid);
    return name === undefined ? null : joinPath(this.latchPath, name);
  }

  /** Deletes nodes left by our earlier attempts (creates that succeeded unseen, old sessions). */
  private async removeStale(currentGuid: string): Promise<void> {
    const names = await this.session.children(this.latchPath);
    for (const name of names) {
      const guid = guidOf(name);
      if (guid !== null && guid !== currentGuid && this.guids.has(guid)) {
        await this.deleteQuietly(joinPath(this.latchPath, name));
      }
    }
  }

  private async deleteQuietly(path: string): Promise<void> {
    try {
      await this.session.delete(path);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
    }
  }

  private setLeadership(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.logger.info(leader ? 'leadership acquired' : 'leadership released', {
      path: this.latchPath,
      id: this.id,
    });
    this.emit(leader ? 'isLeader' : 'notLeader');
  }
}
