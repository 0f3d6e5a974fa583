/**
 * HTTP/2 (h2c, prior knowledge) sessions to upstream instances, one per `host:port`, for the gRPC
 * path (`grpc-forwarder.ts`). One session multiplexes every stream to an instance, so there is no
 * pool to size: a session is opened on first use, replaced once it closes or receives GOAWAY, and
 * dropped when its instance leaves the routing table.
 */
import http2, { type ClientHttp2Session } from 'node:http2';
import type { Clock } from './clock';
import { RoutedAddresses, addressOf, type RouteSwapChange } from './route-addresses';
import type { RouteTable, RouteTarget } from './route-table';
import { CONNECT_TIMEOUT_MS } from './upstream-agent';

/** Upstream HTTP/2 sessions by `host:port`. */
export class H2Upstreams {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  private readonly routed = new RoutedAddresses();

  constructor(private readonly clock: Clock) {}

  /** The open session to `target`, connecting one when there is none. */
  sessionFor(target: RouteTarget): ClientHttp2Session {
    const key = keyOf(target);
    const existing = this.sessions.get(key);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    const session = http2.connect(`http://${host}:${target.port}`);
    // A connect that takes longer than the HTTP/1.1 path allows fails the same way (the
    // streams waiting on it error with the session, and the instance is reported down).
    const timer = this.clock.setTimeout(() => {
      if (!session.connecting) return;
      const err = Object.assign(new Error('upstream connect timed out'), { code: 'WHARF_CONNECT_TIMEOUT' });
      session.destroy(err);
    }, CONNECT_TIMEOUT_MS);
    session.once('connect', () => timer.cancel());
    const forget = (): void => {
      timer.cancel();
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    };
    // The streams on the session carry the error to their requests; the session's own 'error'
    // needs a listener or it would be thrown.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    this.sessions.set(key, session);
    return session;
  }

  /** Drops (gracefully) the session of `target`, after it failed. */
  discard(target: RouteTarget): void {
    const session = this.sessions.get(keyOf(target));
    this.sessions.delete(keyOf(target));
    session?.destroy();
  }

  /**
   * Closes the sessions of instances that left the routing table (in-flight streams finish).
   * With `change` only the changed routes are looked at (O(changed), see `route-addresses.ts`).
   */
  retain(table: RouteTable, change?: RouteSwapChange): void {
    const gone = this.routed.apply(table, change);
    const stale = change === undefined ? [...this.sessions.keys()].filter((k) => !this.routed.has(k)) : gone;
    for (const key of stale) {
      const session = this.sessions.get(key);
      if (session === undefined) continue;
      this.sessions.delete(key);
      session.close();
    }
  }

  /** Closes every session gracefully (in-flight streams finish). */
  close(): void {
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }
}

function keyOf(target: RouteTarget): string {
  return addressOf(target);
}
