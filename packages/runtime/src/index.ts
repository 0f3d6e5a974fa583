/**
 * @packageDocumentation
 * The `ContainerRuntime` interface every allocator speaks, and `ProcessRuntime`, the embedded
 * implementation that runs instances as local process groups, and `DockerRuntime` (one container
 * per instance on a Docker engine).
 */
export type {
  ContainerInfo,
  ContainerRuntime,
  ContainerSpec,
  ContainerState,
  ContainerView,
  ExitEvent,
  ExitListener,
  LogsOptions,
  RemoveOptions,
  RuntimeKind,
  RuntimeState,
  StopOptions,
} from './types';
export { NOOP_LOGGER, SYSTEM_CLOCK } from './deps';
export type { RuntimeClock, RuntimeLogger } from './deps';
export {
  CONTAINER_NAME_PATTERN,
  assertContainerName,
  isCleanAbsolutePath,
  isValidContainerName,
  validateArgv,
  validateContainerSpec,
} from './validate';
export { ProcessRuntime } from './process-runtime';
export {
  DEFAULT_INSTANCE_PATH,
  DEFAULT_STOP_TIMEOUT_MS,
  DEFAULT_WATCH_INTERVAL_MS,
  compileProcessRuntimeOptions,
} from './options';
export type { CompiledProcessRuntimeOptions, ProcessRuntimeOptions } from './options';
export { DEFAULT_LOG_TAIL_LINES } from './log-file';
export { DockerRuntime } from './docker-runtime';
export { DEFAULT_CONTAINER_UID, DEFAULT_MOUNT_PATH, compileDockerRuntimeOptions } from './docker-options';
export type { CompiledDockerRuntimeOptions, DockerRuntimeOptions } from './docker-options';
export { CPU_PERIOD_US, MANAGED_LABEL, cpuQuotaUs } from './docker-spec';
export type { ContainerStats } from './docker-stats';
export type { FollowLogsOptions } from './docker-logs';
export { DEFAULT_ENGINE_PROBE_TIMEOUT_MS, dockerEngineReady } from './docker-probe';
export type { DockerProbeOptions } from './docker-probe';
