import { WharfError } from '@wharf/model';
import { SYSTEM_CLOCK, type ZkClock } from './clock';
import { NOOP_LOGGER, type ZkLogger } from './logger';
import { normalizeChroot } from './paths';
import { type ZkAcl } from './acl';
import { certificateIdentity, compileZkTls, type CompiledZkTls, type ZkTlsOptions } from './tls';
import { wharfAclPolicy } from './zk-acl-policy';

/** Chroot every Wharf path lives under (ARCHITECTURE.md, "ZooKeeper layout"). */
export const DEFAULT_CHROOT = '/wharf';

/**
 * Requested session timeout. 15 s: long enough to ride out a GC pause or a leader election in
 * the ensemble, short enough that a dead allocator's live node disappears within a minute.
 * The server clamps it to [2, 20] × tickTime.
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 15_000;

/**
 * Session timeout of a dedicated liveness session (an allocator's `live` node): 3 s. A host that
 * dies loses its live node ~3 s later (plus up to one server tick), while a 1 s SIGSTOP or a 2 s
 * event-loop stall is outlived or, at worst, costs a new session whose live node is back within the
 * constructor's loss grace. The server clamps it to [2, 20] × tickTime (4 s at ZooKeeper's stock 2 s tick).
 */
export const DEFAULT_LIVENESS_SESSION_TIMEOUT_MS = 3_000;

/**
 * Session timeout of a dedicated leader-latch session (the constructor's election): 2 s, so a
 * standby takes over ~2-3 s after a leader's host dies. A leader stalled for longer loses the
 * lead; its writes are fenced by znode versions anyway, and it rejoins at the back of the line.
 */
export const DEFAULT_LEADER_SESSION_TIMEOUT_MS = 2_000;

/** How long `start()` waits for the first connection before failing: two session timeouts. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Per-operation deadline, including the wait for a connection while suspended. The library has
 * no read timeout of its own, so without this a call made against a frozen server hangs forever.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 10_000;

/**
 * Largest payload we write to one znode (or one transaction). ZooKeeper's jute.maxbuffer is 1 MiB
 * for the whole packet; znodes should be KBs, so half of that is a bug detector, not a budget.
 */
export const DEFAULT_MAX_DATA_BYTES = 512 * 1024;

/** Smallest session timeout we accept: ZooKeeper's floor is 2 × tickTime and tickTime ≥ 100 ms in practice. */
export const MIN_SESSION_TIMEOUT_MS = 200;

/** Options for a {@link ZkSession}. */
export interface ZkSessionOptions {
  /** `host:port[,host:port…]`, without a chroot suffix. */
  connectString: string;
  /** Chroot all paths live under; created on first connect. `''` or `'/'` for none. Default `/wharf`. */
  chroot?: string;
  /** Requested session timeout; the server may negotiate it down or up. */
  sessionTimeoutMs?: number;
  /** How long `start()` waits for the first connection. */
  connectTimeoutMs?: number;
  /** Deadline of each operation, including a wait for the connection to come back. */
  operationTimeoutMs?: number;
  /** Refuse writes larger than this. */
  maxDataBytes?: number;
  /**
   * Mutual TLS: connect to the servers' `secureClientPort` with this client certificate. One
   * setting for every service; the connect string then lists secure ports.
   */
  tls?: ZkTlsOptions;
  /**
   * The ACL of every node this session creates without an explicit one (create, mkdirp,
   * ephemerals, transactions), from its chroot-relative path. Default: over TLS, Wharf's policy
   * by role for the identity the certificate names (zk-acl-policy.ts); in plain mode none
   * (ZooKeeper's open ACL). `null`: open ACLs even over TLS.
   */
  acl?: ZkAclProvider | null;
  /**
   * Follow the ensemble's membership (default true): after each connection and on each change of
   * `/zookeeper/config`, the members' client addresses become the servers tried on the next
   * reconnect (`ensemble-follower.ts`). False pins the session to `connectString`: for tools
   * that must talk to the members they name.
   */
  followEnsemble?: boolean;
  logger?: ZkLogger;
  clock?: ZkClock;
}

/** Decides the ACL of a node from its chroot-relative path (see zk-acl-policy.ts). */
export type ZkAclProvider = (path: string) => readonly ZkAcl[];

/** {@link ZkSessionOptions} with every default filled in, validated and frozen. */
export interface CompiledZkOptions {
  readonly connectString: string;
  readonly chroot: string;
  readonly sessionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly operationTimeoutMs: number;
  readonly maxDataBytes: number;
  /** Null: plaintext. */
  readonly tls: CompiledZkTls | null;
  /** Null: nodes are created with ZooKeeper's open ACL. */
  readonly acl: ZkAclProvider | null;
  readonly followEnsemble: boolean;
  readonly logger: ZkLogger;
  readonly clock: ZkClock;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) {
    throw new WharfError('WHARF_VALIDATION', 'invalid zookeeper option', {
      details: { option: name, value, min },
    });
  }
  return v;
}

/** Fills defaults, validates once and freezes. Throws WHARF_VALIDATION on a bad option. */
export function compileZkOptions(options: ZkSessionOptions): CompiledZkOptions {
  const connectString = options.connectString?.trim() ?? '';
  if (connectString === '' || connectString.includes('/')) {
    throw new WharfError('WHARF_VALIDATION', 'invalid zookeeper option', {
      details: {
        option: 'connectString',
        value: options.connectString,
        reason: 'host:port list without chroot',
      },
    });
  }
  return Object.freeze({
    connectString,
    chroot: normalizeChroot(options.chroot ?? DEFAULT_CHROOT),
    sessionTimeoutMs: positive(
      'sessionTimeoutMs',
      options.sessionTimeoutMs,
      DEFAULT_SESSION_TIMEOUT_MS,
      MIN_SESSION_TIMEOUT_MS,
    ),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    operationTimeoutMs: positive(
      'operationTimeoutMs',
      options.operationTimeoutMs,
      DEFAULT_OPERATION_TIMEOUT_MS,
    ),
    maxDataBytes: positive('maxDataBytes', options.maxDataBytes, DEFAULT_MAX_DATA_BYTES),
    tls: compileZkTls(options.tls),
    acl:
      options.acl !== undefined
        ? options.acl
        : options.tls
          ? wharfAclPolicy(certificateIdentity(options.tls.cert))
          : null,
    followEnsemble: options.followEnsemble ?? true,
    logger: options.logger ?? NOOP_LOGGER,
    clock: options.clock ?? SYSTEM_CLOCK,
  });
}
