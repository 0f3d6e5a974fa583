import { isWharfError } from '@wharf/model';
import { parentPath } from './paths';
import { type ZkSessionApi } from './session-api';
import { type ZkData, type ZkStateChange, type ZkWatchEvent } from './types';

/** State of an {@link EphemeralRegistration}. */
export type EphemeralRegistrationState = 'pending' | 'registered' | 'waiting' | 'closed';

/** Pause before retrying a restore that failed while connected (e.g. an operation timeout). */
export const RESTORE_RETRY_DELAY_MS = 1000;

/** Bound on create/inspect rounds in one restore, so a pathological race cannot spin forever. */
const MAX_RESTORE_ROUNDS = 10;

/**
 * An ephemeral znode kept alive across sessions (Curator's PersistentNode in ephemeral mode).
 *
 * Re-created when a new session replaces a lost one and when someone deletes it. If the node
 * exists and belongs to one of *our* earlier sessions (not yet expired by the server), it is
 * deleted and re-created at once; if it belongs to another session, the registration waits
 * (`waiting`) and creates it as soon as that node goes away.
 */
export class EphemeralRegistration {
  private current: EphemeralRegistrationState = 'pending';
  private data: Buffer;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private readonly watcher = (event: ZkWatchEvent): void => this.onWatch(event);

  constructor(
    private readonly session: ZkSessionApi,
    /** The node's path. */
    readonly path: string,
    data: Buffer,
    private readonly onClosed: () => void = () => undefined,
  ) {
    this.data = data;
  }

  /** `registered` while the node exists for the current session. */
  get state(): EphemeralRegistrationState {
    return this.current;
  }

  /** Creates the node (and parents) and starts following session changes. */
  async start(): Promise<void> {
    this.unsubscribe = this.session.onStateChange((change) => this.onStateChange(change));
    await this.session.mkdirp(parentPath(this.path));
    await this.restore();
  }

  /** Replaces the node's data (and the data used for future re-creations). */
  async update(data: ZkData): Promise<void> {
    this.data = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (this.current === 'closed') return;
    try {
      await this.session.set(this.path, this.data, -1);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
      await this.restore();
    }
  }

  /** Stops re-creating and deletes the node if it is ours. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.abandon();
    try {
      const stat = await this.session.exists(this.path);
      if (stat !== null && this.session.isOwnSession(stat.ephemeralOwner)) {
        await this.session.delete(this.path, stat.version);
      }
    } catch (err) {
      if (!isWharfError(err)) throw err;
      // Best effort: the node dies with our session anyway.
      this.session.logger.debug('ephemeral node delete on close failed', { path: this.path, code: err.code });
    }
  }

  private isClosed(): boolean {
    return this.current === 'closed';
  }

  /** Stops following the session without I/O (the session is closing and takes the node with it). */
  abandon(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.onClosed();
  }

  private onStateChange(change: ZkStateChange): void {
    if (change.event === 'reconnected') this.kick();
  }

  private onWatch(event: ZkWatchEvent): void {
    if (this.current === 'closed') return;
    // Deleted (by someone, or by expiry of the holder we waited on) or changed: re-check and re-arm.
    this.session.logger.debug('ephemeral node watch fired', { path: this.path, type: event.type });
    this.kick();
  }

  private kick(): void {
    if (this.current === 'closed') return;
    this.restore().catch(async (err: unknown) => {
      this.session.logger.warn('ephemeral node restore failed', { path: this.path, err });
      // Disconnected: the next `reconnected` retries. Still connected (a timeout): retry shortly.
      if (this.session.state !== 'connected') return;
      await this.session.clock.sleep(RESTORE_RETRY_DELAY_MS);
      this.kick();
    });
  }

  /** Serialised: a restore requested while one runs makes it run once more. */
  private restore(): Promise<void> {
    if (this.running !== null) {
      this.rerun = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.rerun = false;
          await this.restoreOnce();
        } while (this.rerun && this.current !== 'closed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async restoreOnce(): Promise<void> {
    const { session, path } = this;
    for (let round = 0; round < MAX_RESTORE_ROUNDS && this.current !== 'closed'; round++) {
      const stat = await session.exists(path, this.watcher);
      if (stat === null) {
        try {
          await session.create(path, this.data, 'ephemeral');
          session.logger.info('ephemeral node created', { path, sessionId: session.sessionId });
        } catch (err) {
          if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) throw err;
        }
        continue;
      }
      if (stat.ephemeralOwner !== null && stat.ephemeralOwner === session.sessionId) {
        if (!this.isClosed()) this.current = 'registered';
        return;
      }
      if (session.isOwnSession(stat.ephemeralOwner)) {
        // Left over from one of our lost sessions: the server has not expired it yet.
        await session.delete(path, stat.version).catch((err: unknown) => {
          if (!isWharfError(err, 'WHARF_ZK_NO_NODE', 'WHARF_ZK_BAD_VERSION')) throw err;
        });
        continue;
      }
      this.current = 'waiting';
      session.logger.warn('ephemeral node held by another session', { path, owner: stat.ephemeralOwner });
      return;
    }
  }
}
