/** @packageDocumentation The host agent: registers a host, follows its roles, supervises its services (see README). */
export { type RunnerConfig, configFromEnv, flagsToEnv, helpText, inheritedEnv, runnerEnv } from './config';
export {
  type ContainerApi,
  DEFAULT_IMAGE_PREFIX,
  DockerLauncher,
  type DockerLauncherOptions,
  RUNNER_HOST_LABEL,
  RUNNER_SERVICE_LABEL,
  SERVICE_MEMORY_MB,
} from './docker-launcher';
export {
  type BootstrapResult,
  type HostFacts,
  type JoinRequest,
  bootstrapHost,
  checkToken,
  joinWithToken,
  registerHost,
} from './host-registration';
export type { ServiceLauncher } from './launcher';
export { type RunnerMetrics, createRunnerMetrics } from './metrics';
export {
  ORPHAN_GRACE_MS,
  ProcessLauncher,
  type ProcessLauncherOptions,
  stopOrphan,
} from './process-launcher';
export {
  API_NODE_OPTIONS,
  CONTROL_PLANE_NODE_OPTIONS,
  type LaunchContext,
  ROLE_SERVICES,
  RUNNER_SERVICES,
  type RunnerService,
  SERVICE_HEAP_LIMIT_MB,
  type ServiceLaunchSpec,
  hostHome,
  planLaunches,
  serviceNodeOptions,
  servicesForRoles,
} from './roles';
export {
  DEFAULT_STOP_GRACE_MS,
  Runner,
  type RunnerOptions,
  type RunnerState,
  type SupervisedService,
} from './runner';
