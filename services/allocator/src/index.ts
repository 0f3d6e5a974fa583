/**
 * @packageDocumentation
 * The allocator service: advertises this host's capacity, runs the instances assigned to it
 * through a container runtime, health-checks and restarts them, and reports their status.
 */
export {
  type Allocator,
  type AllocatorClock,
  type AllocatorDependencies,
  type AllocatorState,
  createAllocator,
} from './allocator';
export {
  type AllocatorOptions,
  type BackoffPolicy,
  type CompiledAllocatorOptions,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_BACKOFF_RESET_AFTER_MS,
  DEFAULT_CAPACITY_SHARE,
  DEFAULT_PORT_RANGE,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  DEFAULT_TICK_INTERVAL_MS,
  DEFAULT_UNHEALTHY_AFTER_FAILURES,
  type PortRange,
  compileAllocatorOptions,
  parsePortRange,
  parseTags,
} from './options';
export { LABELS } from './containers';
export { advertisementDocument } from './advertisement';
export { specFingerprint } from './fingerprint';
export {
  type ObservedContainer,
  type ReconcileInput,
  type ReconcilePlan,
  type RemoveAction,
  type SpecAction,
  decide,
  observe,
} from './reconcile';
export type { ExitInfo, InstanceRecord, Phase } from './instance-record';
export { type PortCheck, type PortMap, allocatePorts } from './ports';
export { type StackCatalog, stackCatalog } from './stack-port';
export { HELP, type HostFacts, type MainSettings, configFromEnv } from './config';
