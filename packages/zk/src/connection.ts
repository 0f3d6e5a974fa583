import { closedError, connectionLossError } from './errors';
import { ensureChroot } from './chroot';
import { EnsembleFollower } from './ensemble-follower';
import { judgeLiveness, watchdogTickMs } from './liveness';
import { type CompiledZkOptions } from './options';
import { RawClient, type Done, type RawClientEvent } from './raw-client';
import { rawExists } from './raw-ops';
import { type ZkServerAddress } from './server-list';
import { SessionStateMachine } from './session-state';
import { WatchRouter } from './watch-router';

/** How long a polite close waits for the server before the socket is destroyed. */
export const CLOSE_GRACE_MS = 1000;

/** First back-off between attempts to build a new client after the session was lost. */
export const REBUILD_BACKOFF_BASE_MS = 100;

/** Cap of that back-off: retry at least this often while the ensemble is unreachable. */
export const REBUILD_BACKOFF_MAX_MS = 5000;

/** Adapts one library call given the live client and its watch router. */
export type Invoker<T> = (raw: RawClient, router: WatchRouter) => (done: Done<T>) => void;

/**
 * The session manager behind {@link ZkSession}: owns the current node-zookeeper-client, the
 * state machine, the stall watchdog and the rebuild loop, and runs operations with deadlines.
 *
 * - Stall watchdog: the library pings but has no read timeout (deps.md §1). We probe with
 *   `exists('/')` every third of the session timeout; silence ≥ 2/3 → `suspended` and the socket
 *   is dropped so the library reconnects; silence ≥ timeout → `lost`.
 * - After EXPIRED or `lost` the library's client is dead: it is killed and a new one is built
 *   (jittered back-off) until one connects → `reconnected` with `newSession: true`.
 * - The servers tried follow the ensemble's membership ({@link EnsembleFollower}) unless
 *   `followEnsemble` is off; a rebuilt client starts with the list as last followed.
 */
export class ZkConnection {
  /** State and events. */
  readonly machine: SessionStateMachine;
  private raw: RawClient | null = null;
  private router: WatchRouter | null = null;
  private lastHeardAt = 0;
  private probeInFlight = false;
  private watchdog: NodeJS.Timeout | null = null;
  private rebuilding = false;
  private readonly pastSessionIds = new Set<string>();
  private readonly closing = new AbortController();
  private readonly follower: EnsembleFollower;

  constructor(private readonly options: CompiledZkOptions) {
    this.machine = new SessionStateMachine(options.logger, () => this.sessionId);
    this.follower = new EnsembleFollower(options, () => this.raw);
  }

  /** The servers the next (re)connection tries, as followed from the ensemble's configuration. */
  get servers(): readonly ZkServerAddress[] {
    return this.follower.servers;
  }

  /** Current session id (16 hex digits) or null. */
  get sessionId(): string | null {
    const raw = this.raw;
    if (raw === null || this.machine.state === 'closed') return null;
    const id = raw.sessionId;
    return /^0+$/.test(id) ? null : id;
  }

  /** Current session password or null. */
  get sessionPassword(): Buffer | null {
    return this.raw === null || this.sessionId === null ? null : this.raw.sessionPassword;
  }

  /** Distinct server sessions held so far. */
  get sessionCount(): number {
    return this.pastSessionIds.size;
  }

  /** True when `ephemeralOwner` is a session this connection held. */
  isOwnSession(ephemeralOwner: string | null): boolean {
    return ephemeralOwner !== null && this.pastSessionIds.has(ephemeralOwner);
  }

  /** Ensures the chroot and connects; closes itself and throws on failure. */
  async start(): Promise<void> {
    const { connectString, chroot, connectTimeoutMs, logger } = this.options;
    this.machine.begin();
    logger.info('zookeeper session starting', { connectString, chroot });
    try {
      await ensureChroot(this.options, this.closing.signal);
      if (this.isClosed()) throw closedError('start'); // closed while bootstrapping: build nothing
      this.newClient();
      if (!(await this.machine.waitConnected(connectTimeoutMs))) {
        if (this.isClosed()) throw closedError('start');
        const reason = 'no connection before connectTimeoutMs';
        throw connectionLossError('start', undefined, reason, this.raw?.lastTransportError ?? null);
      }
    } catch (err) {
      await this.close();
      throw err;
    }
    this.startWatchdog();
  }

  /** Emits `closed`, closes the client politely, then hard. */
  async close(): Promise<void> {
    if (this.machine.state === 'closed') return;
    this.stopWatchdog();
    this.machine.close();
    this.closing.abort();
    this.router?.close();
    const raw = this.raw;
    if (raw !== null) await raw.close(CLOSE_GRACE_MS);
    this.machine.finishClose();
  }

  private newClient(): RawClient {
    const { chroot, sessionTimeoutMs, logger } = this.options;
    const raw = new RawClient({
      connectString: this.follower.connectString,
      chroot,
      sessionTimeoutMs,
      logger,
      tls: this.options.tls,
      onEvent: (client, event) => this.onRawEvent(client, event),
      ...(this.options.followEnsemble
        ? {
            onNotification: (path: string) => {
              if (raw === this.raw) this.follower.onNotification(path);
            },
          }
        : {}),
    });
    this.raw = raw;
    this.router = new WatchRouter(logger);
    raw.connect();
    return raw;
  }

  private onRawEvent(raw: RawClient, event: RawClientEvent): void {
    if (raw !== this.raw || this.machine.state === 'closed') return;
    if (this.machine.state === 'connecting' && event !== 'connected' && event !== 'disconnected') {
      // Expired before we ever connected (a resumed session id): just start over.
      raw.kill();
      this.newClient();
      return;
    }
    const now = this.options.clock.now();
    switch (event) {
      case 'connected': {
        this.lastHeardAt = now;
        const id = raw.sessionId;
        const newSession = !this.pastSessionIds.has(id);
        this.pastSessionIds.add(id);
        this.machine.connected(newSession, raw.negotiatedTimeoutMs);
        this.follower.onConnected();
        break;
      }
      case 'disconnected':
        this.machine.suspend('disconnected');
        break;
      case 'expired':
      case 'authFailed':
        this.lose(event);
        break;
    }
  }

  private lose(reason: string): void {
    if (!this.machine.lose(reason)) return;
    const raw = this.raw;
    this.router?.close();
    this.router = null;
    if (raw !== null) void raw.close(CLOSE_GRACE_MS);
    this.rebuild().catch((err: unknown) =>
      this.options.logger.error('zookeeper client rebuild failed', { err }),
    );
  }

  /** Builds new clients until one connects (or the session is closed). */
  private async rebuild(): Promise<void> {
    if (this.rebuilding) return;
    this.rebuilding = true;
    const { clock, logger, sessionTimeoutMs } = this.options;
    try {
      for (let attempt = 0; this.machine.state === 'lost'; attempt++) {
        logger.info('zookeeper client rebuilding', { attempt });
        const raw = this.newClient();
        if (await this.machine.waitConnected(Math.max(sessionTimeoutMs, REBUILD_BACKOFF_MAX_MS))) return;
        if (this.machine.state !== 'lost') return;
        raw.kill();
        const cap = Math.min(REBUILD_BACKOFF_MAX_MS, REBUILD_BACKOFF_BASE_MS * 2 ** attempt);
        await clock.sleep(cap / 2 + clock.random() * (cap / 2));
      }
    } finally {
      this.rebuilding = false;
    }
  }

  private startWatchdog(): void {
    const tick = watchdogTickMs(this.options.sessionTimeoutMs);
    this.watchdog = setInterval(() => this.onWatchdogTick(), tick);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private onWatchdogTick(): void {
    const state = this.machine.state;
    const raw = this.raw;
    if ((state !== 'connected' && state !== 'suspended') || raw === null) return;
    const verdict = judgeLiveness({
      now: this.options.clock.now(),
      lastHeardAt: this.lastHeardAt,
      sessionTimeoutMs: this.machine.negotiatedTimeoutMs ?? this.options.sessionTimeoutMs,
      connected: state === 'connected',
      probeInFlight: this.probeInFlight,
    });
    switch (verdict) {
      case 'probe':
        this.probe(raw);
        break;
      case 'suspend':
        this.machine.suspend('stalled');
        raw.dropConnection();
        break;
      case 'lose':
        this.lose('silent past session timeout');
        break;
      case 'ok':
        break;
    }
  }

  private probe(raw: RawClient): void {
    this.probeInFlight = true;
    const router = this.router ?? new WatchRouter(this.options.logger);
    raw
      .call('probe', '/', this.options.sessionTimeoutMs, rawExists(raw.client, router, '/'))
      .then(
        () => {
          if (raw === this.raw) this.lastHeardAt = this.options.clock.now();
        },
        () => undefined,
      )
      .finally(() => {
        this.probeInFlight = false;
      });
  }

  private isClosed(): boolean {
    return this.machine.state === 'closed';
  }

  /**
   * Runs one operation: waits (bounded by operationTimeoutMs) for a connection, then calls with
   * the remaining deadline. Throws WHARF_ZK_CLOSED / WHARF_ZK_CONNECTION_LOSS.
   */
  async run<T>(op: string, path: string | undefined, invoker: Invoker<T>): Promise<T> {
    const { clock, operationTimeoutMs } = this.options;
    const deadline = clock.now() + operationTimeoutMs;
    if (this.machine.state === 'closed') throw closedError(op, path);
    if (this.machine.state !== 'connected' && !(await this.machine.waitConnected(operationTimeoutMs))) {
      if (this.isClosed()) throw closedError(op, path);
      throw connectionLossError(op, path, 'not connected');
    }
    const raw = this.raw;
    const router = this.router;
    if (raw === null || router === null) throw connectionLossError(op, path, 'not connected');
    const remaining = Math.max(1, deadline - clock.now());
    const value = await raw.call(op, path, remaining, invoker(raw, router));
    if (raw === this.raw) this.lastHeardAt = clock.now();
    return value;
  }
}
