/** @packageDocumentation The host agent: registers a host, follows its roles, supervises its services (see README). */
export { flagsToEnv, helpText, inheritedEnv, configFromEnv, runnerEnv } from './config';
export type { RunnerConfig } from './config';
export {
  DEFAULT_IMAGE_PREFIX,
  DockerLauncher,
  RUNNER_HOST_LABEL,
  RUNNER_SERVICE_LABEL,
  SERVICE_MEMORY_MB,
} from './docker-launcher';
export type { ContainerApi, DockerLauncherOptions } from './docker-launcher';
export { checkToken, bootstrapHost, joinWithToken, registerHost } from './host-registration';
export type { BootstrapResult, HostFacts, JoinRequest } from './host-registration';
export type { ServiceLauncher } from './launcher';
export { createRunnerMetrics } from './metrics';
export type { RunnerMetrics } from './metrics';
export { ORPHAN_GRACE_MS, ProcessLauncher, stopOrphan } from './process-launcher';
export type { ProcessLauncherOptions } from './process-launcher';
export { ROLE_SERVICES, RUNNER_SERVICES, hostHome, planLaunches, servicesForRoles } from './roles';
export type { LaunchContext, RunnerService, ServiceLaunchSpec } from './roles';
export { DEFAULT_STOP_GRACE_MS, Runner } from './runner';
export type { RunnerOptions, RunnerState, SupervisedService } from './runner';
