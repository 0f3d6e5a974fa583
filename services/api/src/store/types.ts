/**
 * The narrow storage interfaces the routes depend on. The only implementation talks to
 * ZooKeeper (`zk-*.ts`); keeping the routes behind these interfaces keeps znode paths,
 * versions and transactions in one place.
 */
import { type BrandingStore } from '../branding/zk-branding';
import { type BillingStore } from './zk-billing';
import { type OrganizationStore } from './zk-organizations';
import { type EventStore } from '../events/zk-events';
import { type LogStore } from '../logs/zk-logs';
import { type CatalogStore } from './zk-catalog';
import {
  type WharfError,
  type AllocatorAdvertisement,
  type ApiKeyRecord,
  type Deployment,
  type DirectorStatus,
  type InstanceSpec,
  type InstanceStatus,
  type PlanAttempt,
  type PlanDocument,
  type ServiceRegistration,
  type Availability,
  type SearchSortField,
  type StackKind,
} from '@wharf/model';
import { type RequestMarker } from '../domain/request-marker';

/** A document and the znode version it was read at. */
export interface Versioned<T> {
  value: T;
  version: number;
}

/** What `POST /deployments` writes, in one transaction. */
export interface CreateDeploymentInput {
  deployment: Deployment;
  pending: PlanDocument;
  /** The idempotency marker and the hash naming it, when the request carried a `request_id`. */
  marker?: { requestIdHash: string; marker: RequestMarker };
}

/** A stored request-id marker and its revision (`<czxid>:<version>`). */
export interface StoredMarker {
  marker: RequestMarker;
  revision: string;
}

/** A marker as a sweep sees it: undefined contents when unreadable. */
export interface SweptMarker {
  name: string;
  marker: RequestMarker | undefined;
  /** The znode's creation time (server clock, ms). */
  ctimeMs: number;
}

/** What one sweep round did. */
export interface SweepResult {
  examined: number;
  deleted: number;
  /** True when another deleter committed meanwhile and this round's deletions were dropped. */
  contended: boolean;
}

/** The outcome of a create: done, or the marker of an earlier create with the same request_id. */
export type CreateDeploymentOutcome =
  { created: true; version: number } | { created: false; marker: StoredMarker };

/** A row of the deployment list. */
export interface DeploymentListEntry {
  deployment: Deployment;
  /** Children of `/deployments/<id>/plan` (`pending`, `current`, `attempt`, `history`). */
  planNodes: readonly string[];
  /** The `stopped` block of `plan/current`, when it has one (a shut-down deployment: `{all: true}`). */
  currentStopped?: PlanDocument['stopped'];
}

/** A deployment as list and search see it: the list entry plus what they filter on. */
export interface DeploymentRow extends DeploymentListEntry {
  /** As `GET /deployments/<id>` derives it (`creating`, `running`, `stopped`, …). */
  readonly status: string;
  /** Stack kinds in its pending and current plans. */
  readonly stacks: readonly StackKind[];
}

/** The plan znodes of one deployment. */
export interface DeploymentPlans {
  pending?: Versioned<PlanDocument>;
  current?: PlanDocument;
  attempt?: PlanAttempt;
}

/** A conditional write of the deployment record and its pending plan. */
export interface PlanWrite {
  deployment: Deployment;
  /** The record's znode version the write is conditional on. */
  deploymentVersion: number;
  pending: PlanDocument;
  /** The pending plan's znode version to replace, or undefined to create it. */
  pendingVersion: number | undefined;
}

/** What a cancel deleted (null fields when the deleted document was unreadable). */
export interface CancelledPlan {
  plan_id: string | null;
  action: string | null;
}

/** Deployments, their plans and idempotency markers. */
export interface DeploymentStore {
  /** Creates record, plan subtree, pending plan and marker all-or-nothing. */
  create(input: CreateDeploymentInput): Promise<CreateDeploymentOutcome>;
  /** The marker stored for a request id hash, if any (expired or not). */
  requestMarker(requestIdHash: string): Promise<StoredMarker | undefined>;
  /**
   * Deletes an expired marker if it is still at `revision`, so its request id can be used again;
   * does nothing when it moved or went (the caller re-reads).
   */
  discardMarker(requestIdHash: string, revision: string): Promise<void>;
  /** The deployment record, or undefined when there is none. */
  get(id: string): Promise<Versioned<Deployment> | undefined>;
  /** Every deployment (unordered). */
  list(): Promise<DeploymentListEntry[]>;
  /**
   * Every deployment sorted by `order` (`created` or `name`), then id, ascending: the cache's
   * own index, kept in order as changes arrive (never sorted per request; do not modify).
   */
  rows(order: SearchSortField): Promise<readonly DeploymentRow[]>;
  /** Pending, current and running attempt. */
  plans(id: string): Promise<DeploymentPlans>;
  /** The heartbeat's record (`/availability/<id>`); optional so test stores can leave it out. */
  availability?(id: string): Promise<Availability | undefined>;
  /** Finished attempts, newest first, at most `limit`. */
  history(id: string, limit: number): Promise<PlanAttempt[]>;
  /**
   * Writes record + pending plan in one transaction; returns the record's new version. Throws
   * `WHARF_ZK_BAD_VERSION`/`WHARF_ZK_NODE_EXISTS`/`WHARF_ZK_NO_NODE` when something moved.
   */
  writePlan(id: string, write: PlanWrite): Promise<number>;
  /** Deletes the pending plan; returns what was deleted, undefined when there was none. */
  cancelPending(id: string): Promise<CancelledPlan | undefined>;
}

/** One allocator as the api sees it: advertisement, liveness, desired and observed instances. */
export interface AllocatorSnapshot {
  id: string;
  /** Undefined when the allocator znode holds no valid advertisement (yet). */
  advertisement: AllocatorAdvertisement | undefined;
  live: boolean;
  specs: InstanceSpec[];
  statuses: InstanceStatus[];
}

/** ZooKeeper connection facts shown by `GET /platform` (never credentials). */
export interface ZooKeeperInfo {
  state: string;
  connect_string: string;
  chroot: string;
}

/** Infrastructure: allocators, proxies, registered services, the constructor leader. */
export interface PlatformStore {
  /** Every allocator (from a cache where available). */
  allocators(): Promise<AllocatorSnapshot[]>;
  /** Proxy registrations. */
  proxies(): Promise<ServiceRegistration[]>;
  /** Live service registrations by service name (a Map: names come from znodes, not code). */
  services(): Promise<Map<string, ServiceRegistration[]>>;
  /** Id of the leading constructor, if one leads. */
  constructorLeader(): Promise<string | undefined>;
  /** Number of deployments. */
  deploymentCount(): Promise<number>;
  /** Sets an allocator's maintenance flag (read-modify-write); undefined when it does not exist. */
  setMaintenance(id: string, enabled: boolean): Promise<AllocatorAdvertisement | undefined>;
  /** Connection state and connect string. */
  zookeeper(): ZooKeeperInfo;
  /** Live directors and the ZooKeeper quorum health each last read (`/director/<id>`). */
  directors(): Promise<DirectorStatus[]>;
}

/** A key record and its revision (`<czxid>:<version>`: changes when the znode is replaced or rewritten). */
export interface StoredKey {
  record: ApiKeyRecord;
  revision: string;
}

/** What authentication needs: the authoritative record and the watch-driven view of it. */
export interface KeyLookup {
  /** The record of a key id, read from ZooKeeper, or undefined. */
  get(keyId: string): Promise<StoredKey | undefined>;
  /**
   * The revision the watch-driven view holds for a key id; undefined when the view has no such
   * key (deleted, not seen yet, or the view is not loaded). A cached verification is trusted only
   * while this still matches the revision it was verified at.
   */
  cachedRevision(keyId: string): string | undefined;
}

/**
 * Decides whether a key may be revoked given every other readable key (see
 * `domain/api-keys.ts`); returns the error to answer with, or undefined to go ahead.
 */
export type RevocationPolicy = (
  target: ApiKeyRecord | undefined,
  others: readonly ApiKeyRecord[],
) => WharfError | undefined | Promise<WharfError | undefined>;

/** API key records: authentication plus the key-management routes. */
export interface KeyStore extends KeyLookup {
  /** Every readable key record (unordered). */
  list(): Promise<ApiKeyRecord[]>;
  /** How many key znodes exist (readable or not). */
  count(): Promise<number>;
  /** Stores a new record; throws `WHARF_ZK_NODE_EXISTS` if the id is taken. */
  create(record: ApiKeyRecord): Promise<void>;
  /**
   * Deletes a key if `policy` allows it, atomically with respect to other revocations (so two
   * concurrent deletes cannot remove the last two keys); false when there is no such key.
   */
  revoke(keyId: string, policy: RevocationPolicy): Promise<boolean>;
}

/** Everything the routes read and write. */
export interface ApiStore {
  deployments: DeploymentStore;
  platform: PlatformStore;
  keys: KeyStore;
  /** Organizations (tenants); without it the organization routes are not served. */
  organizations?: OrganizationStore;
  /** Price list and metering records; without it the billing routes are not served. */
  billing?: BillingStore;
  /** Alert events and webhook targets; without it the event routes are not served. */
  events?: EventStore;
  /** Instance logs through the allocators; without it the log route is not served. */
  logs?: LogStore;
  /** Stored instance configurations and templates; without it only the built-ins exist and are not served. */
  catalog?: CatalogStore;
  /** White-label branding; without it the branding routes are not served. */
  branding?: BrandingStore;
}
