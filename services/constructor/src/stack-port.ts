/**
 * The narrow view of a stack pack the constructor works with: the port clients are routed to,
 * and the cluster membership hooks it runs against a stack's own API (etcd member add/remove).
 * `src/main.ts` adapts `@wharf/stacks`; tests inject fakes.
 */
import { type MemberEndpoint, type StackKind } from '@wharf/model';
import { type SnapshotRepository } from '@wharf/stacks';

/** What a membership hook is told. */
export interface MembershipContext {
  deploymentId: string;
  refId: string;
  /**
   * Members to talk to: running and healthy members of the cluster, never the joining or
   * leaving one.
   */
  members: MemberEndpoint[];
  /** Aborted when the attempt stops (leadership lost, timeout, close). */
  signal: AbortSignal;
}

/** A member about to join. */
export interface JoinContext extends MembershipContext {
  joining: MemberEndpoint;
}

/** A member about to leave. */
export interface LeaveContext extends MembershipContext {
  leaving: MemberEndpoint;
}

/** A member that joined and must hold the cluster's data before an old member leaves. */
export interface MigrateContext extends MembershipContext {
  joined: MemberEndpoint;
}

/** A new cluster, healthy and not yet routed, whose client authentication is turned on. */
export interface SecureContext extends MembershipContext {
  /** The plan that created the cluster: the first root password is derived from it. */
  planId: string;
  /** The resource's `user_settings` (`authentication: false` keeps the cluster open). */
  settings: Record<string, unknown>;
}

/** A running cluster whose data is replaced by a snapshot's (`_restore`). */
export interface RestoreContext extends MembershipContext {
  /** A local path of the snapshot file. */
  file: string;
  /** The SHA-256 its record names: a file that no longer matches is refused before any write. */
  sha256: string;
}

/** A snapshot to take of a running member into the installation's repository. */
export interface TakeSnapshotContext {
  deploymentId: string;
  snapshotId: string;
  member: MemberEndpoint;
  repository: SnapshotRepository;
}

/** What a migration reports (for the step log and the migration-time figures). */
export interface MigrationReport {
  targetIndex: number;
  reachedIndex: number;
  bytes: number;
}

/**
 * A stack pack as the constructor uses it. Hooks must be idempotent: a new leader may run a hook
 * again after a crash (adding a member that is already a member, removing one that is gone, must
 * succeed). A pack with a `beforeJoin` hook is grown one member at a time.
 */
export interface ConstructorStack {
  /** The named port proxies route client traffic to (e.g. `client` for etcd). */
  readonly routePort: string;
  /** Runs before a new member of an existing cluster is started (etcd: member add). */
  beforeJoin?(ctx: JoinContext): Promise<void>;
  /**
   * `migrate-data`: resolves once a member that joined a running cluster holds its data (etcd:
   * its applied raft index reached the leader's). Absent: nothing to migrate.
   */
  migrateData?(ctx: MigrateContext): Promise<MigrationReport>;
  /**
   * True when the leave of `ctx.leaving` briefly stops the cluster from serving (etcd: it leads):
   * the route is paused (every member unroutable, proxies hold requests) around the leave hook.
   */
  leavePausesCluster?(ctx: LeaveContext): Promise<boolean>;
  /** Runs before a member of a cluster that keeps running is removed (etcd: member remove). */
  beforeLeave?(ctx: LeaveContext): Promise<void>;
  /**
   * `restore-snapshot`: verifies the file, then replaces the cluster's data with the snapshot's
   * (etcd: every key deleted, the snapshot's written). Idempotent. Absent: no snapshots.
   */
  restoreSnapshot?(ctx: RestoreContext): Promise<{ keys: number }>;
  /**
   * `snapshot-before-change`: streams a snapshot of `ctx.member` into the repository and verifies
   * the stored file (the caller records it). Absent: the stack has no snapshots.
   */
  takeSnapshot?(ctx: TakeSnapshotContext): Promise<{ bytes: number; sha256: string }>;
  /**
   * `update-routing` of a new cluster, before it is first routed: turns client authentication on
   * (etcd: `root` and the platform's user). Resolves false when the resource does not want it.
   * Idempotent. Absent: the stack has no authentication (http) or no platform secret is set.
   */
  enableAuth?(ctx: SecureContext): Promise<boolean>;
}

/** Finds the pack of a stack kind; undefined for kinds this constructor cannot run. */
export type StackResolver = (kind: StackKind) => ConstructorStack | undefined;
