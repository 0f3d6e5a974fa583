/**
 * Keep-alive agents, one per upstream (`host:port`). One agent per instance means the pooled
 * connections of an instance that died can be dropped at once (`discard`) without touching the
 * pools of the healthy ones, and a pool's limits apply per instance as intended.
 */
import http from 'node:http';
import net from 'node:net';
import type { Clock } from './clock';
import { RoutedAddresses, addressOf, type RouteSwapChange } from './route-addresses';
import type { RouteTable, RouteTarget } from './route-table';

/**
 * Limit on establishing a new upstream connection. On a LAN a connect takes well under a
 * millisecond; an instance that has not answered in 2 s is treated like one that refused (marked
 * down and the request retried elsewhere), rather than holding the request for the upstream timeout.
 */
export const CONNECT_TIMEOUT_MS = 2_000;
/**
 * Concurrent connections to one instance. Requests beyond this wait in the agent's queue instead of
 * opening a connection storm against an instance that is already slow.
 */
export const UPSTREAM_MAX_SOCKETS = 256;
/**
 * Idle keep-alive connections kept per instance. Enough for the steady concurrency of a busy
 * deployment (the benchmark's 50 client connections need ~50); more would only hold file descriptors.
 */
export const UPSTREAM_MAX_FREE_SOCKETS = 64;
/**
 * Idle keep-alive connections are closed after this. It must stay below the instances' own
 * keep-alive timeout (Node's default is 5 s) so the proxy closes first: reusing a connection the
 * instance is closing at the same moment is the classic keep-alive `ECONNRESET` race.
 */
export const UPSTREAM_IDLE_SOCKET_TIMEOUT_MS = 4_000;

/**
 * A keep-alive agent whose new connections fail with `WHARF_CONNECT_TIMEOUT` when the connect
 * takes longer than {@link CONNECT_TIMEOUT_MS}. The timer lives on the connection, so a request
 * that reuses a pooled connection (nearly all of them) pays nothing for it.
 */
export class UpstreamAgent extends http.Agent {
  constructor(private readonly clock: Clock) {
    super({
      keepAlive: true,
      maxSockets: UPSTREAM_MAX_SOCKETS,
      maxFreeSockets: UPSTREAM_MAX_FREE_SOCKETS,
      timeout: UPSTREAM_IDLE_SOCKET_TIMEOUT_MS,
      // Reuse the most recently used connection: the idle ones at the bottom then time out, so
      // the pool shrinks back after a burst instead of keeping every connection barely alive.
      scheduling: 'lifo',
    });
  }

  override createConnection(options: net.NetConnectOpts): net.Socket {
    const socket = net.createConnection(options);
    const timer = this.clock.setTimeout(() => {
      socket.destroy(Object.assign(new Error('connect timeout'), { code: 'WHARF_CONNECT_TIMEOUT' }));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => timer.cancel());
    socket.once('close', () => timer.cancel());
    return socket;
  }
}

/** The agents of every upstream, created on first use. */
export class UpstreamAgents {
  private readonly agents = new Map<string, UpstreamAgent>();
  private readonly routed = new RoutedAddresses();

  constructor(private readonly clock: Clock) {}

  /** The agent for `target`'s address. */
  agentFor(target: Pick<RouteTarget, 'host' | 'port'>): http.Agent {
    const key = addressOf(target);
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = new UpstreamAgent(this.clock);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * Drops the pool of an upstream that failed: its idle connections point at a dead process and
   * would each cost a request a reset. In-flight requests on it end on their own.
   */
  discard(target: Pick<RouteTarget, 'host' | 'port'>): void {
    const key = addressOf(target);
    const agent = this.agents.get(key);
    if (agent === undefined) return;
    this.agents.delete(key);
    retire(agent);
  }

  /**
   * Closes the agents of upstreams no longer in `table` (after each table swap). With `change`
   * only the changed routes are looked at (O(changed)); without it, every agent is checked.
   */
  retain(table: RouteTable, change?: RouteSwapChange): void {
    const gone = this.routed.apply(table, change);
    const stale = change === undefined ? [...this.agents.keys()].filter((k) => !this.routed.has(k)) : gone;
    for (const key of stale) {
      const agent = this.agents.get(key);
      if (agent === undefined) continue;
      this.agents.delete(key);
      retire(agent);
    }
  }

  /** Closes every agent's idle connections. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/**
 * Closes an agent's idle connections and every connection it gets back later, but not the ones
 * carrying a request now (`agent.destroy()` would cut those: a draining instance's last answers).
 */
function retire(agent: http.Agent): void {
  // A freed socket is destroyed instead of pooled once the pool is "full" (Node's Agent reads
  // maxFreeSockets on every release).
  agent.maxFreeSockets = 0;
  for (const sockets of Object.values(agent.freeSockets))
    for (const socket of sockets ?? []) socket.destroy();
}
