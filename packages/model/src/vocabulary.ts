/** Shared vocabulary of plans: ECE step ids, failure types and built-in instance configurations. */
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

/** Built-in instance configurations, used when none is stored under `/platform/instance-configurations`. */
export const DEFAULT_INSTANCE_CONFIGURATIONS: Readonly<Record<string, InstanceConfiguration>> = {
  'etcd.default': {
    schema_version: 1,
    id: 'etcd.default',
    stack: 'etcd',
    cpu_multiplier: 1,
    storage_multiplier: 4,
  },
  'http.default': {
    schema_version: 1,
    id: 'http.default',
    stack: 'http',
    cpu_multiplier: 1,
    storage_multiplier: 1,
  },
};

/** The default instance configuration id of a stack. */
export function defaultInstanceConfigurationId(kind: StackKind): string {
  return `${kind}.default`;
}
