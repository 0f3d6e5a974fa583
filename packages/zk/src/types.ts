/** How a znode is created; sequential modes append a 10-digit, zero-padded counter to the name. */
export type ZkCreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

/** Data written to a znode: a Buffer as is, a string as UTF-8. */
export type ZkData = Buffer | string;

/** A znode's metadata, decoded from the wire format. */
export interface ZkStat {
  /** zxid of the transaction that created the node. */
  readonly czxid: bigint;
  /** zxid of the transaction that last changed the node's data (or created it). */
  readonly mzxid: bigint;
  /** zxid of the transaction that last changed the node's children. */
  readonly pzxid: bigint;
  /** Creation time, ms since the epoch (server clock). */
  readonly ctime: number;
  /** Last data change time, ms since the epoch (server clock). */
  readonly mtime: number;
  /** Data version: the number to pass to a conditional `set`/`delete`. */
  readonly version: number;
  /** Children version. */
  readonly cversion: number;
  /** ACL version. */
  readonly aversion: number;
  /** Owning session id as 16 hex digits for an ephemeral node, `null` for a persistent one. */
  readonly ephemeralOwner: string | null;
  /** Bytes of data. */
  readonly dataLength: number;
  /** Number of children. */
  readonly numChildren: number;
}

/** A znode's data with its stat. */
export interface ZkNode {
  readonly data: Buffer;
  readonly stat: ZkStat;
}

/** A node's children (names, not paths) with the parent's stat. */
export interface ZkChildren {
  readonly children: string[];
  readonly stat: ZkStat;
}

/** A parsed JSON document with the stat it was read at. */
export interface ZkJson<T> {
  readonly value: T;
  readonly stat: ZkStat;
}

/** What a one-shot watch reports. */
export type ZkWatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';

/** A fired watch: the event type and the chroot-relative path. */
export interface ZkWatchEvent {
  readonly type: ZkWatchEventType;
  readonly path: string;
}

/**
 * A one-shot watch callback. Pass the same function again to re-arm: it is registered at most
 * once per path and kind, so re-arming in a loop cannot pile up listeners.
 */
export type ZkWatcher = (event: ZkWatchEvent) => void;

/**
 * The session's state.
 * - `latent`: constructed, `start()` not called yet.
 * - `connecting`: `start()` running, never connected yet.
 * - `connected`: a live session; operations run.
 * - `suspended`: the connection dropped or stalled; the session may still be alive on the server.
 * - `lost`: the session is gone (expired, or silent past the session timeout); a new client is being built.
 * - `closed`: `close()` was called; terminal.
 */
export type ZkSessionState = 'latent' | 'connecting' | 'connected' | 'suspended' | 'lost' | 'closed';

/** Curator-style connection events, emitted once per transition. */
export type ZkConnectionEvent = 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed';

/** Payload of every connection event. */
export interface ZkStateChange {
  readonly event: ZkConnectionEvent;
  readonly state: ZkSessionState;
  /** True on `reconnected` when the session is a new one: ephemerals and watches were lost. */
  readonly newSession: boolean;
  /** Current session id (16 hex digits), `null` while none is established. */
  readonly sessionId: string | null;
}
