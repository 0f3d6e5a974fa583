/**
 * Shared vocabulary of plans: ECE step ids, failure types, built-in instance configurations and
 * deployment templates.
 */
import { type DeploymentTemplate } from './schemas/catalog';
import { type InstanceConfiguration } from './schemas/documents';
import { type StackKind } from './schemas/plan';

/** Step ids, ECE's where they exist (reference/ece.md §2). */
export const STEP_IDS = {
  validatePlanSafety: 'validate-plan-safety',
  allocateInstances: 'allocate-instances',
  startInstances: 'start-instances',
  waitUntilRunning: 'wait-until-running',
  joinCluster: 'join-cluster',
  migrateData: 'migrate-data',
  updateRouting: 'update-routing',
  leaveCluster: 'leave-cluster',
  removeInstances: 'remove-instances',
  waitUntilStopped: 'wait-until-stopped',
  /** `_stop`/`_shutdown`: kept instances stop (data and ports kept). */
  stopInstances: 'stop-instances',
  /** `_start`: stopped instances run again and rejoin their cluster with their data. */
  resumeInstances: 'resume-instances',
  /** `_restore`: the data of the running instances is replaced by a snapshot's. */
  restoreSnapshot: 'restore-snapshot',
  /** Before a plan removes instances: a snapshot of the data, in case the change goes wrong. */
  snapshotBeforeChange: 'snapshot-before-change',
  rollback: 'rollback',
  planCompleted: 'plan-completed',
} as const;

/** A step id. */
export type StepId = (typeof STEP_IDS)[keyof typeof STEP_IDS];

/** Failure types, written `Category:Name` as ECE does. */
export const FAILURE_TYPES = {
  noCapacity: 'ClusterFailure:NoCapacity',
  timeout: 'ClusterFailure:Timeout',
  instanceFailed: 'ClusterFailure:InstanceFailed',
  clusterJoinFailed: 'ClusterFailure:ClusterJoinFailed',
  invalidPlan: 'PlanValidationException:InvalidPlan',
  unsupportedStrategy: 'PlanValidationException:UnsupportedStrategy',
  cancelled: 'models.ForcedRollback:UserInitiated',
  internal: 'InternalFailure:Unexpected',
} as const;

/** An etcd instance configuration that allows only `sizes` (MB), the first being the default. */
function etcdTier(id: string, sizes: number[]): InstanceConfiguration {
  return {
    schema_version: 1,
    id,
    stack: 'etcd',
    cpu_multiplier: 1,
    storage_multiplier: 4,
    discrete_sizes: { sizes, default_size: sizes[0]! },
  };
}

/**
 * Built-in instance configurations, used when none is stored under `/platform/instance-configurations`
 * (a stored one of the same id overrides it). `etcd.default` and `http.default` allow any size;
 * the etcd tiers follow ElasticStack's 1-8 GB flexible sizes, with 256 MB below them for small
 * installations.
 */
export const DEFAULT_INSTANCE_CONFIGURATIONS: Readonly<Record<string, InstanceConfiguration>> = {
  'etcd.default': {
    schema_version: 1,
    id: 'etcd.default',
    stack: 'etcd',
    cpu_multiplier: 1,
    storage_multiplier: 4,
  },
  'etcd.small': etcdTier('etcd.small', [256, 512]),
  'etcd.medium': etcdTier('etcd.medium', [1024, 2048]),
  'etcd.large': etcdTier('etcd.large', [4096, 6144]),
  'etcd.xlarge': etcdTier('etcd.xlarge', [8192]),
  'http.default': {
    schema_version: 1,
    id: 'http.default',
    stack: 'http',
    cpu_multiplier: 1,
    storage_multiplier: 1,
  },
};

/**
 * Built-in deployment templates, used when none is stored under `/platform/templates` (a stored
 * one of the same id overrides it). Versions are the stack packs' (checked when a create uses them).
 */
export const DEFAULT_DEPLOYMENT_TEMPLATES: Readonly<Record<string, DeploymentTemplate>> = {
  'etcd-default': oneElementTemplate(
    'etcd-default',
    'etcd, 3 zones',
    'A three-member etcd cluster, one member per zone, on etcd.small (256 MB).',
    { stack: 'etcd', refId: 'main', ic: 'etcd.small', memoryMb: 256, zoneCount: 3, version: '3.4' },
  ),
  'http-default': oneElementTemplate(
    'http-default',
    'http, 1 zone',
    'One static HTTP server (64 MB) in one zone.',
    { stack: 'http', refId: 'web', ic: 'http.default', memoryMb: 64, zoneCount: 1, version: '1' },
  ),
};

/** A template of one resource with one topology element (what the built-ins are). */
function oneElementTemplate(
  id: string,
  name: string,
  description: string,
  r: { stack: StackKind; refId: string; ic: string; memoryMb: number; zoneCount: number; version: string },
): DeploymentTemplate {
  const element = {
    id: 'default',
    instance_configuration_id: r.ic,
    size: { resource: 'memory' as const, value: r.memoryMb },
    zone_count: r.zoneCount,
  };
  const resource = {
    ref_id: r.refId,
    plan: { cluster_topology: [element], [r.stack]: { version: r.version } },
  };
  return {
    schema_version: 1,
    id,
    name,
    description,
    deployment: {
      name: r.stack,
      resources: { [r.stack]: [resource] } as DeploymentTemplate['deployment']['resources'],
    },
  };
}

/** The default instance configuration id of a stack. */
export function defaultInstanceConfigurationId(kind: StackKind): string {
  return `${kind}.default`;
}
