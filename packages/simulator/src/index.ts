/**
 * @packageDocumentation
 * Simulated allocators at fleet scale against a real ZooKeeper: each registers and reports like
 * `services/allocator` (same znodes, same documents) but answers its specs with statuses after a
 * simulated delay instead of starting processes. For benchmarks and scale tests of the real
 * constructor.
 */
export {
  DEFAULT_ALLOCATORS_PER_SESSION,
  DEFAULT_CAPACITY_MB,
  DEFAULT_CPUS,
  DEFAULT_FLEET_SIZE,
  DEFAULT_START_CONCURRENCY,
  DEFAULT_START_DELAY_MS,
  DEFAULT_ZONES,
  allocatorIdOf,
  compileFleetOptions,
  zoneOf,
} from './options';
export type { CompiledFleetOptions, FleetOptions } from './options';
export { SIMULATED_HOST, SIMULATED_VERSION, advertisement, serviceRegistration, statusOf } from './documents';
export type { SimAllocatorConfig } from './documents';
export { decidePass, pickPorts } from './lifecycle';
export type { SimInstance, SimPass } from './lifecycle';
export { SimulatedAllocator } from './sim-allocator';
export type { SimAllocatorDeps, SimAllocatorState, SimCounters } from './sim-allocator';
export { SIMULATED_PORT_RANGE, SimulatedFleet, eachLimited } from './fleet';
export type { FleetState, FleetStats } from './fleet';
export { SIM_HTTP_VERSION, createDeployment, httpPlan, requestDelete, submitPlan } from './deployments';
export type { SimPlanOptions } from './deployments';
