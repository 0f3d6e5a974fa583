/**
 * @packageDocumentation
 * Simulated allocators at fleet scale against a real ZooKeeper: each registers and reports like
 * `services/allocator` (same znodes, same documents) but answers its specs with statuses after a
 * simulated delay instead of starting processes. For benchmarks and scale tests of the real
 * constructor.
 */
export {
  type CompiledFleetOptions,
  DEFAULT_ALLOCATORS_PER_SESSION,
  DEFAULT_CAPACITY_MB,
  DEFAULT_CPUS,
  DEFAULT_FLEET_SIZE,
  DEFAULT_START_CONCURRENCY,
  DEFAULT_START_DELAY_MS,
  DEFAULT_ZONES,
  type FleetOptions,
  allocatorIdOf,
  compileFleetOptions,
  zoneOf,
} from './options';
export {
  SIMULATED_HOST,
  SIMULATED_VERSION,
  type SimAllocatorConfig,
  advertisement,
  serviceRegistration,
  statusOf,
} from './documents';
export { type SimInstance, type SimPass, decidePass, pickPorts } from './lifecycle';
export {
  type SimAllocatorDeps,
  type SimAllocatorState,
  type SimCounters,
  SimulatedAllocator,
} from './sim-allocator';
export { type FleetState, type FleetStats, SIMULATED_PORT_RANGE, SimulatedFleet, eachLimited } from './fleet';
export {
  SIM_HTTP_VERSION,
  type SimPlanOptions,
  createDeployment,
  httpPlan,
  requestDelete,
  submitPlan,
} from './deployments';
