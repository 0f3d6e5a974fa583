/**
 * Documents Wharf stores in ZooKeeper, each with `schema_version`, validated on write and on read (a reader logs and skips another service's bad data; it never crashes on it).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, Name, Port, Ports, RefId, SchemaVersion, Settings, Str, Timestamp } from './common';
import { INSTANCE_CONFIGURATION_ID_PATTERN } from '../ids';
import { DeploymentMetadataSchema, ResourcesSchema } from './plan';
import { PLAN_ACTIONS, PlanMoveSchema, PlanRestoreSchema, PlanStoppedSchema } from './plan-blocks';
import { SnapshotRepositorySchema } from './snapshot-repository';

const StackKindSchema = Type.Union([Type.Literal('etcd'), Type.Literal('http')]);

/** `/deployments/<id>`: the deployment record. */
export const DeploymentSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    name: Name(),
    created: Timestamp(),
    updated: Timestamp(),
    owner: Type.Optional(Str(128)),
    /** The tenant that owns it; absent: the platform's own (only platform keys see it). */
    organization_id: Type.Optional(Id()),
    request_id: Type.Optional(Str(128)),
    metadata: Type.Optional(DeploymentMetadataSchema),
    /** Set by DELETE: the pending plan shuts everything down; the record goes when it completes. */
    deleting: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `/deployments/<id>/plan/{pending,current}`: a whole-deployment plan. */
export const PlanDocumentSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    plan_id: Str(64),
    deployment_id: Id(),
    created: Timestamp(),
    source: Type.Object(
      {
        /** Who asked for the plan (`plan-blocks.ts` `PLAN_ACTIONS`). */
        action: Type.Union(PLAN_ACTIONS.map((a) => Type.Literal(a))),
        request_id: Type.Optional(Str(128)),
        /** Why the plan exists when nobody asked for it (e.g. the lost allocator of a recovery). */
        reason: Type.Optional(Str(512)),
      },
      { additionalProperties: false },
    ),
    /** The resources to run. Empty (`{}`) together with `shutdown` removes everything. */
    resources: Type.Union([ResourcesSchema, Type.Object({}, { additionalProperties: false })]),
    shutdown: Type.Optional(Type.Boolean()),
    /**
     * Instances to replace with new ones elsewhere (move, vacate, recovery), and optionally the
     * allocators the replacements may go to. The resources stay the same.
     */
    move: Type.Optional(PlanMoveSchema),
    /**
     * Instances kept (spec, ports, data) but not run: `_stop` of listed instances, `_shutdown` of
     * all (`all: true`). Carried from plan to plan until `_start` clears it.
     */
    stopped: Type.Optional(PlanStoppedSchema),
    restore: Type.Optional(PlanRestoreSchema), // `_restore` / a rebuild: plan-blocks.ts
  },
  { additionalProperties: false },
);

/** A cluster member as a stack pack sees it. */
export const MemberEndpointSchema = Type.Object(
  { name: Id(), host: Str(255), ports: Ports() },
  { additionalProperties: false },
);

/** `/allocators/<a>/instances/<i>`: what the constructor wants the allocator to run. */
export const InstanceSpecSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    instance_id: Id(),
    deployment_id: Id(),
    ref_id: RefId(),
    topology_id: Id(),
    stack: StackKindSchema,
    version: Str(32),
    allocator_id: Id(),
    zone: Id(),
    memory_mb: Type.Integer({ minimum: 1 }),
    disk_mb: Type.Optional(Type.Integer({ minimum: 0 })),
    settings: Type.Optional(Settings()),
    /**
     * `true`: reserve ports and report them, but do not start. The constructor releases the hold
     * once it knows every member's address (an etcd cluster needs all peer URLs at start).
     */
    hold: Type.Boolean(),
    /**
     * `true`: stopped by `_stop`/`_shutdown`. The allocator stops it (as for `hold`) but keeps its
     * data and ports; unlike a held spec it is a member of its cluster, so a plan keeps it.
     */
    stopped: Type.Optional(Type.Boolean()),
    cluster: Type.Object(
      {
        token: Str(128),
        state: Type.Union([Type.Literal('new'), Type.Literal('existing')]),
        members: Type.Array(MemberEndpointSchema, { maxItems: 64 }),
      },
      { additionalProperties: false },
    ),
    plan_attempt_id: Str(64),
    /** Bumped on every change; status echoes the generation it has applied. */
    generation: Type.Integer({ minimum: 1 }),
    created: Timestamp(),
  },
  { additionalProperties: false },
);

/** Observed instance states. */
export const INSTANCE_STATES = [
  'reserved',
  'starting',
  'running',
  'restarting',
  'stopping',
  'stopped',
  'failed',
] as const;

/** `/allocators/<a>/status/<i>`: what the allocator observes. */
export const InstanceStatusSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    instance_id: Id(),
    deployment_id: Id(),
    allocator_id: Id(),
    state: Type.Union(INSTANCE_STATES.map((s) => Type.Literal(s))),
    healthy: Type.Boolean(),
    host: Str(255),
    ports: Ports(),
    generation: Type.Integer({ minimum: 0 }),
    restarts: Type.Integer({ minimum: 0 }),
    runtime_id: Type.Optional(Str(128)),
    last_exit: Type.Optional(
      Type.Object(
        {
          code: Type.Union([Type.Integer(), Type.Null()]),
          signal: Type.Union([Str(32), Type.Null()]),
          at: Timestamp(),
        },
        { additionalProperties: false },
      ),
    ),
    message: Type.Optional(Str(1024)),
    /** Size of the instance's data directory in MiB, measured every minute or so (metering). */
    data_mb: Type.Optional(Type.Integer({ minimum: 0 })),
    updated: Timestamp(),
  },
  { additionalProperties: false },
);

/** `/allocators/<a>`: capacity advertisement. */
export const AllocatorAdvertisementSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    zone: Id(),
    host: Str(255),
    capacity: Type.Object(
      {
        memory_mb: Type.Integer({ minimum: 0 }),
        cpus: Type.Number({ minimum: 0 }),
        disk_mb: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    port_range: Type.Object({ from: Port(), to: Port() }, { additionalProperties: false }),
    tags: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), Str(256), { maxProperties: 32 }),
    maintenance: Type.Boolean(),
    runtime: Type.Union([Type.Literal('process'), Type.Literal('docker')]),
    version: Str(32),
    started: Timestamp(),
  },
  { additionalProperties: false },
);

/** One routable instance of a deployment. */
export const RouteInstanceSchema = Type.Object(
  {
    instance_id: Id(),
    allocator_id: Id(),
    ref_id: RefId(),
    zone: Id(),
    host: Str(255),
    port: Port(),
    healthy: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** `/routes/<deployment>`: the proxy's routing entry. */
export const RouteEntrySchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    deployment_id: Id(),
    instances: Type.Array(RouteInstanceSchema, { maxItems: 256 }),
    /** Proxies answer `WHARF_DEPLOYMENT_SHUT_DOWN` (no instances) / `_RESTORING` (in-place `_restore`, all unroutable). */
    shutdown: Type.Optional(Type.Boolean()),
    restoring: Type.Optional(Type.Boolean()),
    updated: Timestamp(),
  },
  { additionalProperties: false },
);

/** ECE step status / stage values. */
export const STEP_STATUSES = ['success', 'warning', 'error', 'pending'] as const;
/** ECE step stages. */
export const STEP_STAGES = ['starting', 'in_progress', 'completed'] as const;

/** One line of a step's log. */
export const StepLogEntrySchema = Type.Object(
  {
    timestamp: Timestamp(),
    stage: Type.Union(STEP_STAGES.map((s) => Type.Literal(s))),
    message: Str(2048),
    details: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 32 }),
    ),
    failure_type: Type.Optional(Str(128)),
  },
  { additionalProperties: false },
);

/** One step of a plan attempt (ECE `plan_attempt_log[]` item). */
export const PlanStepSchema = Type.Object(
  {
    step_id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
    status: Type.Union(STEP_STATUSES.map((s) => Type.Literal(s))),
    stage: Type.Union(STEP_STAGES.map((s) => Type.Literal(s))),
    started: Type.Optional(Timestamp()),
    completed: Type.Optional(Timestamp()),
    duration_in_millis: Type.Optional(Type.Integer({ minimum: 0 })),
    info_log: Type.Array(StepLogEntrySchema, { maxItems: 200 }),
  },
  { additionalProperties: false },
);

/** `/deployments/<id>/plan/attempt` and history entries: one attempt at applying a plan. */
export const PlanAttemptSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    plan_attempt_id: Str(64),
    plan_id: Str(64),
    deployment_id: Id(),
    attempt_start_time: Timestamp(),
    attempt_end_time: Type.Optional(Timestamp()),
    status: Type.Union([
      Type.Literal('running'),
      Type.Literal('rolling_back'),
      Type.Literal('success'),
      Type.Literal('error'),
      Type.Literal('cancelled'),
    ]),
    healthy: Type.Optional(Type.Boolean()),
    plan_attempt_log: Type.Array(PlanStepSchema, { maxItems: 100 }),
    error: Type.Optional(
      Type.Object(
        { message: Str(2048), failure_type: Str(128), details: Type.Optional(Type.Unknown()) },
        { additionalProperties: false },
      ),
    ),
    /** Constructor-private progress (placements, cursor) so a new leader can resume. */
    state: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown())),
    leader: Type.Optional(Str(128)),
  },
  { additionalProperties: false },
);

/** `/platform/config`. */
export const PlatformConfigSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    domain: Type.String({ pattern: '^[a-z0-9.-]{1,253}$' }),
    installation_id: Str(64),
    created: Timestamp(),
    /** Where deployment snapshots are kept (a directory every api/allocator host shares). */
    snapshot_repository: Type.Optional(SnapshotRepositorySchema),
  },
  { additionalProperties: false },
);

/** `/platform/security/api-keys/<id>`: an API key, hashed. */
export const ApiKeyRecordSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    name: Str(128),
    /** scrypt hash of the secret part, hex. */
    hash: Str(256),
    salt: Str(64),
    created: Timestamp(),
    roles: Type.Array(Str(32), { maxItems: 8 }),
    /** After this instant the key is refused; absent: never (the bootstrap key). */
    expires: Type.Optional(Timestamp()),
    /** The key reaches only this organization's deployments; absent: the whole platform. */
    organization_id: Type.Optional(Id()),
  },
  { additionalProperties: false },
);

/** `/organizations/<id>`: a tenant and its quotas (absent quota: unlimited). */
export const OrganizationSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    name: Name(),
    created: Timestamp(),
    quotas: Type.Object(
      {
        /** Sum of every instance's memory over the organization's deployments. */
        memory_mb: Type.Optional(Type.Integer({ minimum: 0 })),
        deployments: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** `/platform/instance-configurations/<id>`. */
export const InstanceConfigurationSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Type.String({ pattern: INSTANCE_CONFIGURATION_ID_PATTERN }),
    stack: StackKindSchema,
    allowed_zones: Type.Optional(Type.Array(Id(), { maxItems: 64 })),
    allocator_filter: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Str(256), { maxProperties: 16 }),
    ),
    cpu_multiplier: Type.Optional(Type.Number({ minimum: 0 })),
    storage_multiplier: Type.Optional(Type.Number({ minimum: 0 })),
    discrete_sizes: Type.Optional(
      Type.Object(
        {
          sizes: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 64 }),
          default_size: Type.Integer({ minimum: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `/proxies/<id>` and `/services/<svc>/<id>`: a live service registration (ephemeral). */
export const ServiceRegistrationSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    id: Id(),
    service: Str(32),
    address: Str(255),
    port: Type.Optional(Port()),
    zone: Type.Optional(Id()),
    version: Str(32),
    started: Timestamp(),
    stats: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Number(), { maxProperties: 32 })),
  },
  { additionalProperties: false },
);

/** A deployment record. */
export type Deployment = Static<typeof DeploymentSchema>;
/** A plan document (pending or current). */
export type PlanDocument = Static<typeof PlanDocumentSchema>;
export type { PlanMove, PlanRestore, PlanStopped } from './plan-blocks';
/** A cluster member endpoint. */
export type MemberEndpoint = Static<typeof MemberEndpointSchema>;
/** Desired instance. */
export type InstanceSpec = Static<typeof InstanceSpecSchema>;
/** Observed instance. */
export type InstanceStatus = Static<typeof InstanceStatusSchema>;
/** Observed instance state. */
export type InstanceState = (typeof INSTANCE_STATES)[number];
/** Allocator advertisement. */
export type AllocatorAdvertisement = Static<typeof AllocatorAdvertisementSchema>;
/** One routable instance. */
export type RouteInstance = Static<typeof RouteInstanceSchema>;
/** A routing entry. */
export type RouteEntry = Static<typeof RouteEntrySchema>;
/** A step log line. */
export type StepLogEntry = Static<typeof StepLogEntrySchema>;
/** A plan step. */
export type PlanStep = Static<typeof PlanStepSchema>;
/** A plan attempt. */
export type PlanAttempt = Static<typeof PlanAttemptSchema>;
/** Platform configuration. */
export type PlatformConfig = Static<typeof PlatformConfigSchema>;
/** A hashed API key. */
export type ApiKeyRecord = Static<typeof ApiKeyRecordSchema>;
/** An organization (tenant). */
export type Organization = Static<typeof OrganizationSchema>;
/** An instance configuration. */
export type InstanceConfiguration = Static<typeof InstanceConfigurationSchema>;
/** A live service registration. */
export type ServiceRegistration = Static<typeof ServiceRegistrationSchema>;
