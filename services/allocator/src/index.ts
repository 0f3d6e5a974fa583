/**
 * @packageDocumentation
 * The allocator service: advertises this host's capacity, runs the instances assigned to it
 * through a container runtime, health-checks and restarts them, and reports their status.
 */
export { createAllocator } from './allocator';
export type { Allocator, AllocatorClock, AllocatorDependencies, AllocatorState } from './allocator';
export {
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
  compileAllocatorOptions,
  parsePortRange,
  parseTags,
} from './options';
export type { CompiledAllocatorOptions, AllocatorOptions, BackoffPolicy, PortRange } from './options';
export { LABELS } from './containers';
export { advertisementDocument } from './advertisement';
export { specFingerprint } from './fingerprint';
export { decide, observe } from './reconcile';
export type { ObservedContainer, ReconcileInput, ReconcilePlan, RemoveAction, SpecAction } from './reconcile';
export type { ExitInfo, InstanceRecord, Phase } from './instance-record';
export { allocatePorts } from './ports';
export type { PortCheck, PortMap } from './ports';
export { stackCatalog } from './stack-port';
export type { StackCatalog } from './stack-port';
export { HELP, configFromEnv } from './config';
export type { HostFacts, MainSettings } from './config';
