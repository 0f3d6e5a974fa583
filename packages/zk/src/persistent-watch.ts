import { libraryRequest } from './library-request';
import { type Done } from './raw-client';
import { type ZkWatchEvent, type ZkWatcher } from './types';
import { watchEventType } from './watch-router';

/*
 * ZooKeeper 3.6+ persistent recursive watches (ZOOKEEPER-1416), which node-zookeeper-client
 * (pinned, written for 3.4) does not know. One `addWatch(path, PERSISTENT_RECURSIVE)` request
 * makes the server send, until the connection closes, a notification for every node created,
 * deleted or changed at or below `path`, naming that node (no child-list events: the created or
 * deleted child is named instead). The library carries our request like any other (its queue
 * assigns the xid); we read the one reply it cannot parse, and every notification, from the
 * frames `raw-client-io.ts` hands over one at a time.
 *
 * Reconnects: the server keeps watches per connection, and the library's SET_WATCHES re-sends only
 * its own one-shot watches, so the registry here is emptied when the socket changes and the owner
 * re-adds its watch on `reconnected` and re-reads what it may have missed (TreeCache reloads).
 */

/** Opcode of `addWatch` (ZooKeeper 3.6+, `ZooDefs.OpCode.addWatch`). */
export const OP_ADD_WATCH = 106;

/** `AddWatchMode.PERSISTENT_RECURSIVE`. */
export const ADD_WATCH_MODE_PERSISTENT_RECURSIVE = 1;

/** The reply header's xid for a watch notification. */
const XID_NOTIFICATION = -1;

/** Bytes before a reply's body: length prefix, xid (int32), zxid (int64), err (int32). */
const REPLY_HEADER_BYTES = 4 + 4 + 8 + 4;

/** The library's connection state while it is connected (ConnectionManager STATES.CONNECTED). */
const LIBRARY_STATE_CONNECTED = 2;

/** What {@link PersistentWatches} touches of the library's private ConnectionManager. */
export interface ConnectionManagerWatchIo {
  state: number;
  chrootPath?: string;
  zxid: Buffer;
  pendingQueue: { request: { header: { xid: number; type: number } | null }; callback?: Callback }[];
  queue: (request: unknown, callback: Callback) => void;
}

type Callback = (err: unknown) => void;

/** `AddWatchRequest { ustring path; int mode }` with the library's Request interface. */
export function addWatchRequest(path: string, mode: number): unknown {
  let chrootPath: string | undefined;
  const fullPath = (): Buffer => {
    const full = chrootPath ? (path === '/' ? chrootPath : `${chrootPath}${path}`) : path;
    return Buffer.from(full, 'utf8');
  };
  return libraryRequest(OP_ADD_WATCH, {
    setChrootPath(chroot: string | undefined): void {
      chrootPath = chroot;
    },
    byteLength: () => 4 + fullPath().length + 4,
    serialize(buffer: Buffer, offset: number): number {
      const bytes = fullPath();
      buffer.writeInt32BE(bytes.length, offset);
      bytes.copy(buffer, offset + 4);
      buffer.writeInt32BE(mode, offset + 4 + bytes.length);
      return 8 + bytes.length;
    },
  });
}

/** A decoded watch notification frame (chroot already removed), or null for any other frame. */
export function decodeNotification(
  frame: Buffer,
  chroot: string | undefined,
): { type: number; path: string } | null {
  if (frame.length < REPLY_HEADER_BYTES + 12 || frame.readInt32BE(4) !== XID_NOTIFICATION) return null;
  const type = frame.readInt32BE(REPLY_HEADER_BYTES);
  const length = frame.readInt32BE(REPLY_HEADER_BYTES + 8);
  const start = REPLY_HEADER_BYTES + 12;
  if (length < 0 || start + length > frame.length) return null;
  return { type, path: stripChroot(frame.toString('utf8', start, start + length), chroot) };
}

function stripChroot(path: string, chroot: string | undefined): string {
  if (!chroot || chroot === '/') return path;
  if (path === chroot) return '/';
  return path.startsWith(`${chroot}/`) ? path.slice(chroot.length) : path;
}

function covers(root: string, path: string): boolean {
  return path === root || root === '/' || path.startsWith(`${root}/`);
}

/**
 * The persistent recursive watches of one library client: sends `addWatch`, completes its reply,
 * and routes each notification to the watchers of every root it falls under.
 */
export class PersistentWatches {
  private readonly roots = new Map<string, Set<ZkWatcher>>();

  constructor(
    private readonly cm: ConnectionManagerWatchIo,
    private readonly onWatcherError: (err: unknown, event: ZkWatchEvent) => void,
  ) {}

  /** Number of roots watched on the current connection. */
  get size(): number {
    return this.roots.size;
  }

  /** Sends `addWatch(path, PERSISTENT_RECURSIVE)`; `watcher` is recorded once the server agreed. */
  add(path: string, watcher: ZkWatcher): (done: Done<void>) => void {
    return (done) => {
      this.cm.queue(addWatchRequest(path, ADD_WATCH_MODE_PERSISTENT_RECURSIVE), (err) => {
        if (done(err) && !err) this.watchersOf(path).add(watcher);
      });
    };
  }

  /** Stops routing events of `path` to `watcher` (the server-side watch ends with the connection). */
  remove(path: string, watcher: ZkWatcher): void {
    const set = this.roots.get(path);
    set?.delete(watcher);
    if (set?.size === 0) this.roots.delete(path);
  }

  /** The server forgot every watch with the old connection. */
  reset(): void {
    this.roots.clear();
  }

  /**
   * Looks at one whole frame before the library does. Returns true when the frame was consumed
   * here (our `addWatch` reply, which the library would answer by dropping the connection) and
   * false when the library must still see it (notifications too: one-shot watches on the same
   * path are served by the same notification).
   */
  intercept(frame: Buffer): boolean {
    if (frame.length < REPLY_HEADER_BYTES || this.cm.state !== LIBRARY_STATE_CONNECTED) return false;
    const xid = frame.readInt32BE(4);
    if (xid === XID_NOTIFICATION) return this.route(frame);
    const head = this.cm.pendingQueue[0];
    const header = head?.request.header;
    if (head === undefined || header?.type !== OP_ADD_WATCH || header.xid !== xid) return false;
    if (frame.readInt32BE(16) !== 0) return false; // errors: the library's own path reports them
    this.cm.pendingQueue.shift();
    this.cm.zxid = Buffer.from(frame.subarray(8, 16));
    head.callback?.(null);
    return true;
  }

  /** Delivers a notification; true (swallowed) for types the library would throw on. */
  private route(frame: Buffer): boolean {
    if (this.roots.size === 0) return false;
    const decoded = decodeNotification(frame, this.cm.chrootPath);
    if (decoded === null) return false;
    const type = watchEventType(decoded.type);
    if (type === undefined) return true;
    const event: ZkWatchEvent = Object.freeze({ type, path: decoded.path });
    for (const [root, watchers] of this.roots) {
      if (!covers(root, event.path)) continue;
      for (const watcher of watchers) {
        try {
          watcher(event);
        } catch (err) {
          this.onWatcherError(err, event);
        }
      }
    }
    return false;
  }

  private watchersOf(path: string): Set<ZkWatcher> {
    let set = this.roots.get(path);
    if (set === undefined) {
      set = new Set();
      this.roots.set(path, set);
    }
    return set;
  }
}
