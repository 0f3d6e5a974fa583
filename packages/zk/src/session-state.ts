import { type ZkLogger } from './logger';
import { TypedEmitter } from './typed-emitter';
import { type ZkConnectionEvent, type ZkSessionState, type ZkStateChange } from './types';

/** Events of a session: `stateChange` for every transition, plus one event per Curator name. */
export type ZkSessionEvents = { [K in ZkConnectionEvent | 'stateChange']: [ZkStateChange] };

interface Waiter {
  resolve: (connected: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * The session's state and its transitions, separate from I/O. Every transition is logged once
 * and emitted once; illegal ones (e.g. `suspended` while already suspended) are ignored.
 *
 * ```
 * latent → connecting → connected ⇄ suspended → lost → (new client) → connected
 *                          (each of those) → closed
 * ```
 */
export class SessionStateMachine extends TypedEmitter<ZkSessionEvents> {
  private current: ZkSessionState = 'latent';
  private readonly waiters = new Set<Waiter>();
  /** The timeout the server granted on the last connect. */
  negotiatedTimeoutMs: number | null = null;

  constructor(
    private readonly logger: ZkLogger,
    private readonly sessionId: () => string | null,
  ) {
    super(logger);
  }

  /** The current state. */
  get state(): ZkSessionState {
    return this.current;
  }

  /** latent → connecting. */
  begin(): void {
    if (this.current === 'latent') this.current = 'connecting';
  }

  /** A client reached SYNC_CONNECTED. */
  connected(newSession: boolean, negotiatedTimeoutMs: number): void {
    const from = this.current;
    if (from === 'closed' || from === 'connected' || from === 'latent') return;
    this.negotiatedTimeoutMs = negotiatedTimeoutMs;
    const sessionId = this.sessionId();
    if (from === 'connecting') {
      this.logger.info('zookeeper session connected', { sessionId, sessionTimeoutMs: negotiatedTimeoutMs });
      this.transition('connected', 'connected', true);
    } else {
      const fresh = newSession || from === 'lost';
      this.logger.info('zookeeper connection reconnected', { sessionId, newSession: fresh, from });
      this.transition('connected', 'reconnected', fresh);
    }
    for (const waiter of [...this.waiters]) this.settle(waiter, true);
  }

  /** connected → suspended. Returns whether the transition happened. */
  suspend(reason: string): boolean {
    if (this.current !== 'connected') return false;
    this.logger.warn('zookeeper connection suspended', { reason, sessionId: this.sessionId() });
    this.transition('suspended', 'suspended', false);
    return true;
  }

  /** connected|suspended → lost (via suspended, so listeners always see both). */
  lose(reason: string): boolean {
    this.suspend(reason);
    if (this.current !== 'suspended') return false;
    this.logger.error('zookeeper session lost', { reason, sessionId: this.sessionId() });
    this.transition('lost', 'lost', false);
    return true;
  }

  /** Any → closed: emits `closed` at once (so recipes drop leadership before any I/O) and releases waiters. */
  close(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    for (const waiter of [...this.waiters]) this.settle(waiter, false);
    const change: ZkStateChange = Object.freeze({
      event: 'closed',
      state: 'closed',
      newSession: false,
      sessionId: null,
    });
    this.emit('closed', change);
    this.emit('stateChange', change);
  }

  /** Called once the client is gone: logs and drops every listener. */
  finishClose(): void {
    this.logger.info('zookeeper session closed', {});
    this.removeAllListeners();
  }

  /** Resolves true once connected, false on timeout or close. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.current === 'connected') return Promise.resolve(true);
    if (this.current === 'closed') return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { resolve, timer: setTimeout(() => this.settle(waiter, false), timeoutMs) };
      this.waiters.add(waiter);
    });
  }

  private settle(waiter: Waiter, connected: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve(connected);
  }

  private transition(state: ZkSessionState, event: ZkConnectionEvent, newSession: boolean): void {
    this.current = state;
    const change: ZkStateChange = Object.freeze({ event, state, newSession, sessionId: this.sessionId() });
    this.emit(event, change);
    this.emit('stateChange', change);
  }
}
