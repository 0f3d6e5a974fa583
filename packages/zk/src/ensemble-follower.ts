import { WharfError } from '@wharf/model';
import { CONFIG_NODE } from './config-request';
import { type CompiledZkOptions } from './options';
import { type RawClient } from './raw-client';
import { formatServerList, parseServerList, serversFromConfig, type ZkServerAddress } from './server-list';

/*
 * What the Java client does with `ZooKeeper.updateServerList` and Curator's `EnsembleTracker`:
 * a session started with one member's address learns the whole membership from
 * `/zookeeper/config` and, when that member dies, reconnects — same session — to another.
 *
 *   connected ─┐                      ┌─ same set, empty, garbled, unreadable → keep the list
 *              ├─► read config + watch ┤
 *   config  ───┘   (outside chroot)    └─ new set → setServers() on the live client; the next
 *   changed                                 client built after a session loss starts with it
 *
 * The current connection is never dropped for a new list (Java rebalances at random; keeping it
 * is simpler and loses nothing): the list matters only when the client has to reconnect.
 */

/** Keeps one session's server list in step with the ensemble's membership. */
export class EnsembleFollower {
  private list: ZkServerAddress[];
  private reading = false;
  private readAgain = false;
  private quietLogged = false;
  private internalsWarned = false;

  constructor(
    private readonly options: CompiledZkOptions,
    /** The session's live client (it changes when the session is rebuilt). */
    private readonly current: () => RawClient | null,
  ) {
    this.list = parseServerList(options.connectString);
  }

  /** The servers a new client should use (`host:port,…`). */
  get connectString(): string {
    return this.list.length === 0 ? this.options.connectString : formatServerList(this.list);
  }

  /** The list as followed so far. */
  get servers(): readonly ZkServerAddress[] {
    return this.list;
  }

  /** After each connection: read the configuration and arm the watch on it. */
  onConnected(): void {
    this.refresh();
  }

  /** A watch notification's server-side path; one on the configuration triggers a re-read. */
  onNotification(path: string): void {
    // Deferred: this runs inside the library's socket read, before it handles the same frame.
    if (path === CONFIG_NODE) queueMicrotask(() => this.refresh());
  }

  private refresh(): void {
    if (!this.options.followEnsemble) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    const raw = this.current();
    if (raw === null || !raw.isConnected) return; // the next `connected` reads it
    this.reading = true;
    raw
      .call('getConfig', CONFIG_NODE, this.options.operationTimeoutMs, raw.getConfig(true))
      .then(
        (data) => this.apply(data.toString('utf8')),
        (err: unknown) => this.unavailable(err),
      )
      .finally(() => {
        this.reading = false;
        if (this.readAgain) {
          this.readAgain = false;
          this.refresh();
        }
      });
  }

  private apply(text: string): void {
    const next = serversFromConfig(text, this.list, this.options.tls !== null);
    if (next === null) return;
    this.options.logger.info('zookeeper server list changed', {
      from: this.list.length,
      to: next.length,
      servers: formatServerList(next),
    });
    this.list = shuffle(next, this.options.clock.random);
    const raw = this.current();
    if (raw !== null && !raw.setServers(this.list) && !this.internalsWarned) {
      this.internalsWarned = true;
      this.options.logger.warn('zookeeper server list not applied: client internals not found', {});
    }
  }

  /**
   * No reconfig on the server (a standalone or pre-3.5 one), an ACL refusing the read, a lost
   * connection: the list stays, the session is never failed for it, and it is said once.
   */
  private unavailable(err: unknown): void {
    if (err instanceof WharfError && err.code === 'WHARF_ZK_CLOSED') return;
    if (this.quietLogged) return;
    this.quietLogged = true;
    const code = err instanceof WharfError ? err.code : 'unknown';
    this.options.logger.debug('zookeeper ensemble config not followed', { code, reason: String(err) });
  }
}

/** Fisher–Yates with the injected randomness: sessions spread over the members, as the library's own parse does. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
