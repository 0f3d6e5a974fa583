/**
 * @packageDocumentation
 * The `ContainerRuntime` interface every allocator speaks, and `ProcessRuntime`, the embedded
 * implementation that runs instances as local process groups (Docker comes later).
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
