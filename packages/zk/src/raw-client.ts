import { type Socket } from 'node:net';
import * as zookeeper from 'node-zookeeper-client';
import { WharfError } from '@wharf/model';
import { configRequest } from './config-request';
import { closedError, connectionLossError, toWharfError } from './errors';
import { type ZkLogger } from './logger';
import { decodeNotification, type PersistentWatches } from './persistent-watch';
import { installSocketIo, type ConnectionManagerIo } from './raw-client-io';
import { type ZkServerAddress } from './server-list';
import { idToHex } from './stat';
import { type CompiledZkTls } from './tls';
import { installTlsTransport, type ConnectionManagerTransport } from './tls-transport';

/**
 * Upper bound on the library's reconnect spin delay (a random wait in [0, spin) once every server
 * was tried). The library default of 1 s is fine in production; smaller session timeouts shrink it.
 */
export const MAX_SPIN_DELAY_MS = 1000;

/** Fraction of the session timeout used as spin delay, so tiny test timeouts still reconnect fast. */
export const SPIN_DELAY_FRACTION = 1 / 8;

/**
 * Fraction of the session timeout a server gets to answer our ConnectRequest once TCP is up. The
 * library has no such timeout: a server that accepts TCP but never answers (starting up, frozen)
 * keeps it in CONNECTING forever. The Java client allows sessionTimeout / servers; a third is
 * enough for a healthy server (it answers in milliseconds) and retries a starting one quickly.
 */
export const HANDSHAKE_TIMEOUT_FRACTION = 1 / 3;

/** What the underlying client reports. */
export type RawClientEvent = 'connected' | 'disconnected' | 'expired' | 'authFailed';

/** Settles a pending call; returns false when the call already timed out or was aborted. */
export type Done<T> = (err: unknown, value?: T) => boolean;

/** Options for {@link RawClient}. */
export interface RawClientOptions {
  readonly connectString: string;
  readonly chroot: string;
  readonly sessionTimeoutMs: number;
  readonly logger: ZkLogger;
  readonly onEvent: (client: RawClient, event: RawClientEvent) => void;
  /** Resume an existing session (used to force expiry in tests). */
  readonly sessionId?: Buffer;
  readonly sessionPassword?: Buffer;
  /** Mutual TLS to the servers' secure client port; null/absent: plaintext. */
  readonly tls?: CompiledZkTls | null;
  /**
   * Every watch notification's server-side path (chroot not removed), before the library sees it.
   * With a chroot, one naming a path outside it is consumed here (only `getConfig` watches there).
   */
  readonly onNotification?: (path: string) => void;
}

// The subset of the library's private ConnectionManager we touch to hard-kill a client; the
// library version is pinned exactly, see `kill()`.
interface ConnectionManagerInternals {
  socket?: Socket;
  servers: { host: string; port: number }[];
  nextServerIndex: number;
  serverAttempts: number;
  sessionTimeout: number;
  connectTimeout: number;
  queue: (
    request: unknown,
    callback: (err: unknown, response?: { payload?: { data?: Buffer } }) => void,
  ) => void;
  connectTimeoutHandler?: NodeJS.Timeout | null;
  connect: () => void;
  findNextServer: (cb: unknown) => void;
  onSocketConnected: (...args: unknown[]) => unknown;
}

interface Pending {
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * One node-zookeeper-client instance = one session attempt. Adds what the library lacks: a
 * deadline on every call, typed errors, and a `kill()` that really releases the socket.
 */
export class RawClient {
  readonly client: zookeeper.Client;
  /** This client's persistent recursive watches (null if the library's internals were not found). */
  readonly persistentWatches: PersistentWatches | null = null;
  private readonly pending = new Set<Pending>();
  private dead = false;
  private connected = false;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private transportError: string | null = null;

  constructor(private readonly options: RawClientOptions) {
    const spinDelay = Math.min(MAX_SPIN_DELAY_MS, Math.floor(options.sessionTimeoutMs * SPIN_DELAY_FRACTION));
    const libOptions = {
      sessionTimeout: options.sessionTimeoutMs,
      spinDelay,
      retries: 0,
      sessionId: options.sessionId,
      sessionPassword: options.sessionPassword,
    };
    this.client = zookeeper.createClient(`${options.connectString}${options.chroot}`, libOptions);
    this.client.on('state', (state: zookeeper.State) => this.onState(state));
    const cm = this.internals();
    if (options.tls && cm !== undefined) {
      installTlsTransport(cm as unknown as ConnectionManagerTransport, options.tls, (err, server) =>
        this.onTransportError(err, server),
      );
    }
    this.installHandshakeTimeout();
    if (cm !== undefined) {
      const onNotification = options.onNotification;
      this.persistentWatches = installSocketIo(
        cm as unknown as ConnectionManagerIo,
        (err, event) => options.logger.error('watcher threw', { path: event.path, type: event.type, err }),
        onNotification &&
          ((frame) => {
            const notification = decodeNotification(frame, undefined);
            if (notification === null) return false;
            onNotification(notification.path);
            // Nothing but our config watch can name a path outside the chroot: the library would
            // cut the chroot's length off it, and persistent watches on '/' would see a stranger.
            return outsideChroot(notification.path, options.chroot);
          }),
      );
    }
  }

  /** True between the library's SYNC_CONNECTED and the next DISCONNECTED. */
  get isConnected(): boolean {
    return this.connected && !this.dead;
  }

  /** Session id as 16 hex digits (all zeros before the first connect). */
  get sessionId(): string {
    return idToHex(this.client.getSessionId());
  }

  /** Session password (for the expire-session test trick). */
  get sessionPassword(): Buffer {
    return this.client.getSessionPassword();
  }

  /** The session timeout the server granted (the requested one before the first connect). */
  get negotiatedTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  /**
   * Code of the last socket error since the last successful connect (e.g.
   * `ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE` when the server refused our certificate), or null.
   */
  get lastTransportError(): string | null {
    return this.transportError;
  }

  /** Opens the connection; state changes arrive through `onEvent`. */
  connect(): void {
    this.client.connect();
  }

  /**
   * Runs one library call with a deadline. `invoke` receives `done`; errors become WharfErrors.
   * A call that outlives its deadline rejects with WHARF_ZK_CONNECTION_LOSS; its late answer is dropped.
   */
  call<T>(
    op: string,
    path: string | undefined,
    timeoutMs: number,
    invoke: (done: Done<T>) => void,
  ): Promise<T> {
    if (this.dead) return Promise.reject(closedError(op, path));
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        reject,
        timer: setTimeout(() => {
          this.pending.delete(entry);
          reject(connectionLossError(op, path, 'no answer before deadline'));
        }, timeoutMs),
      };
      this.pending.add(entry);
      const done: Done<T> = (err, value) => {
        if (!this.pending.delete(entry)) return false;
        clearTimeout(entry.timer);
        if (err) reject(toWharfError(err, op, path));
        else resolve(value as T);
        return true;
      };
      try {
        invoke(done);
      } catch (err) {
        done(err);
      }
    });
  }

  /**
   * Reads `/zookeeper/config` outside the chroot (see config-request.ts), arming a one-shot data
   * watch when `watch` (its notification reaches `onNotification`; the library knows nothing of it).
   */
  getConfig(watch: boolean): (done: Done<Buffer>) => void {
    return (done) => {
      const cm = this.internals();
      if (cm === undefined) done(new WharfError('WHARF_ZK_ERROR', 'client internals not found'));
      else
        cm.queue(configRequest(watch), (err, response) =>
          done(err, response?.payload?.data ?? Buffer.alloc(0)),
        );
    };
  }

  /**
   * The servers the library tries when it next has to (re)connect; the current connection stays.
   * node-zookeeper-client 1.1.3 (pinned exactly) has no `updateServerList`: its ConnectionManager
   * walks the private `servers` array with `nextServerIndex` and counts `serverAttempts` until it
   * equals `servers.length` (then it sleeps a spin delay). So the array is replaced, the counter
   * reset (with a shorter list an `===` check would never fire again: reconnects without pause),
   * and the per-attempt connect timeout re-divided as the library does on connect. The only
   * place writing those internals; `raw-client-servers.test.ts` fails if they move. Returns false
   * when they are not there.
   */
  setServers(servers: readonly ZkServerAddress[]): boolean {
    const cm = this.internals();
    if (cm === undefined || !Array.isArray(cm.servers) || servers.length === 0) return false;
    cm.servers = servers.map((s) => ({ host: s.host, port: s.port }));
    cm.nextServerIndex = 0;
    cm.serverAttempts = 0;
    cm.connectTimeout = Math.floor(cm.sessionTimeout / cm.servers.length);
    return true;
  }

  /** The servers the library would try next (a copy), empty when its internals are not found. */
  get servers(): ZkServerAddress[] {
    return (this.internals()?.servers ?? []).map((s) => ({ host: s.host, port: Number(s.port) }));
  }

  /**
   * Drops the TCP connection so the library reconnects (same session, next server). Used when a
   * stall is detected: the library itself would wait on a silent socket forever.
   */
  dropConnection(): void {
    if (this.dead) return;
    this.internals()?.socket?.destroy();
  }

  /**
   * Closes the session politely when connected (the server then deletes our ephemerals at once),
   * waits up to `graceMs`, then kills. Never leaves a socket or reconnect timer behind (#60).
   */
  async close(graceMs: number): Promise<void> {
    if (this.dead) return;
    if (this.connected) {
      const closed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.client.once('disconnected', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      try {
        this.client.close();
      } catch (err) {
        this.options.logger.debug('zookeeper client close threw', { err });
      }
      await closed;
    }
    this.kill();
  }

  /**
   * Hard kill. The library's close() only queues a CLOSE_SESSION packet: against a frozen server
   * or mid-reconnect it never completes and a pending spin timer may even open a new socket. So we
   * neuter its reconnect entry points, clear its connect timer and destroy the socket.
   */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.connected = false;
    this.clearHandshakeTimer();
    const cm = this.internals();
    if (cm !== undefined) {
      cm.connect = () => undefined;
      cm.findNextServer = () => undefined;
      if (cm.connectTimeoutHandler) clearTimeout(cm.connectTimeoutHandler);
      cm.socket?.destroy();
    }
    this.client.removeAllListeners();
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(closedError('call'));
    }
    this.pending.clear();
  }

  /**
   * Wraps the library's per-socket `onSocketConnected` (bound when each socket is created, so an
   * own property on the instance takes effect) to arm a handshake deadline; on expiry the socket is
   * destroyed and the library moves on to the next attempt.
   */
  private installHandshakeTimeout(): void {
    const cm = this.internals();
    if (cm === undefined) return;
    const original = cm.onSocketConnected;
    const timeoutMs = Math.max(1, Math.floor(this.options.sessionTimeoutMs * HANDSHAKE_TIMEOUT_FRACTION));
    cm.onSocketConnected = (...args: unknown[]) => {
      const socket = cm.socket;
      this.clearHandshakeTimer();
      this.handshakeTimer = setTimeout(() => {
        this.handshakeTimer = null;
        if (this.dead || this.connected || cm.socket !== socket) return;
        this.options.logger.debug('zookeeper handshake timed out', { timeoutMs });
        socket?.destroy();
      }, timeoutMs);
      return original.apply(cm, args);
    };
  }

  /** Remembers the error for diagnostics; logs each distinct code once per client (retries are fast). */
  private onTransportError(err: NodeJS.ErrnoException, server: string): void {
    const code = err.code ?? err.message;
    if (code === this.transportError) return;
    this.transportError = code;
    this.options.logger.warn('zookeeper tls connection failed', { server, code, reason: err.message });
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  private internals(): ConnectionManagerInternals | undefined {
    return (this.client as unknown as { connectionManager?: ConnectionManagerInternals }).connectionManager;
  }

  private onState(state: zookeeper.State): void {
    if (this.dead) return;
    let event: RawClientEvent | undefined;
    switch (state.code) {
      case zookeeper.State.SYNC_CONNECTED.code:
        this.connected = true;
        this.transportError = null;
        this.clearHandshakeTimer();
        event = 'connected';
        break;
      case zookeeper.State.DISCONNECTED.code:
        this.connected = false;
        event = 'disconnected';
        break;
      case zookeeper.State.EXPIRED.code:
        this.connected = false;
        event = 'expired';
        break;
      case zookeeper.State.AUTH_FAILED.code:
        this.connected = false;
        event = 'authFailed';
        break;
      default:
        return;
    }
    this.options.onEvent(this, event);
  }
}

/** True when `path` (as the server names it) lies outside a non-root `chroot`. */
export function outsideChroot(path: string, chroot: string): boolean {
  if (chroot === '' || chroot === '/') return false;
  return path !== chroot && !path.startsWith(`${chroot}/`);
}
