/**
 * The stack-pack contract: everything Wharf needs to know to run one kind of stack (what to
 * execute, which ports, how to probe it, how members join and leave, how to snapshot it).
 * Input types are narrow and owned here, so packs do not depend on stored document shapes.
 */
import { type RuntimeClock, type RuntimeLogger } from '@wharf/runtime';
import { type StackCredentials } from './credentials';

/** A cluster member as a stack pack sees it. */
export interface MemberEndpoint {
  /** Instance id; also the member's name inside the stack (etcd `--name`). */
  name: string;
  /** Address other members and clients reach it at. */
  host: string;
  /** Named host ports, e.g. `{ client: 2379, peer: 2380 }`. */
  ports: Record<string, number>;
}

/** Cluster membership an instance starts with. */
export interface ClusterInfo {
  /** Identifies one cluster's bootstrap (etcd `--initial-cluster-token`). */
  token: string;
  /** `new`: every member starts together; `existing`: this member joins a running cluster. */
  state: 'new' | 'existing';
  /** Every member including the instance itself. */
  members: MemberEndpoint[];
}

/** Everything needed to render one instance's command. */
export interface InstanceContext {
  instanceId: string;
  deploymentId: string;
  version: string;
  /** Address advertised to clients and peers. */
  host: string;
  /** Address to listen on; defaults to `host` (a Docker bridge container binds `0.0.0.0`). */
  bindHost?: string;
  ports: Record<string, number>;
  /** Data directory as the instance sees it (see `ContainerRuntime.containerView`). */
  dataDir: string;
  memoryMb: number;
  /** The plan's `user_settings`, validated by the pack's `validateSettings`. */
  settings: Record<string, unknown>;
  cluster: ClusterInfo;
  /**
   * The runtime the instance runs under, when the caller knows it: packs may tune start timings
   * to it (a container takes a few hundred milliseconds longer, and more variably, to start).
   */
  runtime?: 'process' | 'docker';
}

/** What to run for one instance. */
export interface InstanceCommand {
  /** argv array (never a shell string); may be empty only when `image` supplies the command. */
  argv: string[];
  env: Record<string, string>;
  /** Image for container runtimes; ignored by the process runtime. */
  image?: string;
  /**
   * Milliseconds the allocator waits, from the moment it is told to start the instance, before
   * starting it the first time (not on restarts). Lets a pack order a cluster's bootstrap when
   * its members racing each other costs more than the wait (see the etcd pack). Default 0.
   */
  startDelayMs?: number;
}

/** Options of a health probe. */
export interface ProbeOptions {
  /** Whole-probe timeout; default `DEFAULT_PROBE_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** The instance's `user_settings` (the http pack reads `health_path` from them). */
  settings?: Record<string, unknown>;
}

/** Outcome of a health probe; a probe never throws for an unhealthy or unreachable instance. */
export interface ProbeResult {
  healthy: boolean;
  /** Short human-readable reason (status line, error code). */
  detail: string;
}

/** Injected dependencies and the time budget of a cluster hook or snapshot. */
export interface HookOptions {
  /** Deadline for the whole hook, retries included; default `DEFAULT_HOOK_TIMEOUT_MS`. */
  timeoutMs?: number;
  logger?: RuntimeLogger;
  clock?: RuntimeClock;
  /**
   * The platform's own credentials for the stack's API (`credentials.ts`): used once the stack
   * has authentication on; a stack with authentication off is called without them.
   */
  credentials?: StackCredentials;
}

/** Options of a `restore`. */
export interface RestoreOptions extends HookOptions {
  /** Delete every key of the target first (an in-place restore): afterwards it holds the snapshot's keys only. */
  replace?: boolean;
}

/** Input of `bootstrap`: what a new cluster is made of. */
export interface BootstrapInput {
  deploymentId: string;
  /** Unique per cluster creation (e.g. the plan attempt id), so two bootstraps never share a token. */
  nonce: string;
  members: MemberEndpoint[];
}

/** Result of a snapshot. */
export interface SnapshotResult {
  file: string;
  bytes: number;
  /** Hex SHA-256 of the snapshot file. */
  sha256: string;
}

/** What a `migrateData` hook reports once the joined member holds the cluster's data. */
export interface MigrationResult {
  /** Raft (or equivalent) index the member had to reach: the leader's when the hook started. */
  targetIndex: number;
  /** The member's index when it was found caught up. */
  reachedIndex: number;
  /** Size of the member's data after catching up (etcd: backend `dbSize`); 0 when unknown. */
  bytes: number;
}

/** Result of a restore. */
export interface RestoreResult {
  /** Keys (or records) written into the target. */
  keys: number;
}

/** One kind of stack Wharf can run. */
export interface StackPack {
  /** Resource key in plans (`etcd`, `http`). */
  readonly kind: string;
  /** Versions a plan may ask for. */
  readonly versions: readonly string[];
  /** Named ports every instance gets. */
  readonly portNames: readonly string[];
  /** The port the proxy routes client traffic to. */
  readonly routePort: string;
  /** True when members form one cluster: all members of a new cluster start together, join/leave hooks matter. */
  readonly clustered: boolean;
  /** True when `snapshot` is implemented. */
  readonly snapshots: boolean;
  /** Throws `WHARF_VALIDATION` (with `details`) unless `settings` are acceptable `user_settings`. */
  validateSettings(settings: Record<string, unknown>): void;
  /** The instance's command (pure). Throws `WHARF_STACK_ERROR` for an unsupported version. */
  command(ctx: InstanceContext): InstanceCommand;
  /** Checks one instance's health. */
  probe(endpoint: MemberEndpoint, options?: ProbeOptions): Promise<ProbeResult>;
  /** Membership for a brand-new cluster (pure). */
  bootstrap(input: BootstrapInput): ClusterInfo;
  /** Membership for `member` joining the running cluster `current` (pure). */
  joining(current: ClusterInfo, member: MemberEndpoint): ClusterInfo;
  /** Runs before `member` starts as a new member of the running cluster `members` (etcd: member add). Idempotent. */
  beforeJoin(
    members: readonly MemberEndpoint[],
    member: MemberEndpoint,
    options?: HookOptions,
  ): Promise<void>;
  /**
   * Runs after `member` joined the running cluster `members` (without it) and before any old
   * member leaves: resolves once `member` holds the cluster's data (etcd: its applied raft index
   * reached the leader's). Stacks that replicate nothing resolve at once. Idempotent.
   */
  migrateData(
    members: readonly MemberEndpoint[],
    member: MemberEndpoint,
    options?: HookOptions,
  ): Promise<MigrationResult>;
  /**
   * True when removing `member` briefly stops the cluster from serving (etcd: it leads, so
   * leadership moves): the caller then stops routing requests to every member around the leave.
   */
  leavePausesCluster(
    members: readonly MemberEndpoint[],
    member: MemberEndpoint,
    options?: HookOptions,
  ): Promise<boolean>;
  /** Runs before `member` is stopped for good (etcd: member remove). Idempotent. */
  beforeLeave(
    members: readonly MemberEndpoint[],
    member: MemberEndpoint,
    options?: HookOptions,
  ): Promise<void>;
  /** Runs after `member` has stopped for good. Idempotent. */
  afterLeave(
    members: readonly MemberEndpoint[],
    member: MemberEndpoint,
    options?: HookOptions,
  ): Promise<void>;
  /** Writes a consistent snapshot of the data served at `endpoint` to `toFile`. */
  snapshot(endpoint: MemberEndpoint, toFile: string, options?: HookOptions): Promise<SnapshotResult>;
  /**
   * Checks a snapshot file fully (integrity trailer and readable contents) without a running
   * cluster; `WHARF_SNAPSHOT_CORRUPT` when damaged, `WHARF_SNAPSHOT_UNSUPPORTED` where unsupported.
   */
  verifySnapshot(file: string): Promise<SnapshotResult>;
  /**
   * Writes a snapshot's data into the running cluster `members` (a logical restore; `replace`:
   * in place, the cluster's own keys deleted first). Idempotent: an interrupted restore is run
   * again. `WHARF_SNAPSHOT_UNSUPPORTED` where unsupported.
   */
  restore(
    fromFile: string,
    members: readonly MemberEndpoint[],
    options?: RestoreOptions,
  ): Promise<RestoreResult>;
  /**
   * Turns client authentication on in the running cluster `members`: the `root` user (password
   * `rootPassword`, the deployment owner's) and the platform's user (`options.credentials`), both
   * with every permission. Idempotent; once on, it changes nothing. Absent: no authentication.
   */
  enableAuth?(
    members: readonly MemberEndpoint[],
    rootPassword: string,
    options: HookOptions & { credentials: StackCredentials },
  ): Promise<void>;
  /** Sets `root`'s password (turning authentication on first when it is off). Idempotent. */
  setRootPassword?(
    members: readonly MemberEndpoint[],
    rootPassword: string,
    options: HookOptions & { credentials: StackCredentials },
  ): Promise<void>;
}
