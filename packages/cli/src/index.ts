/**
 * @packageDocumentation
 * The `wharf` command: runs the embedded single-host platform (`up`, `down`, `status`) and drives
 * deployments through the REST API (`deployment …`, `--track`). `dist/bin.js` is the executable;
 * this entry exposes the pieces other tools and tests build on.
 */
export { run, defaultHandlers } from './run';
export type { CliContext, ParentChannel, TextSink } from './context';
export { buildProgram } from './program';
export type { CommandHandlers, GlobalOptions } from './program';
export { UP_ENV, compileUpConfig, defaultCapacityMb } from './config/up-config';
export type {
  AllocatorSettings,
  HostFacts,
  UpConfig,
  UpOptions,
  ZooKeeperSettings,
} from './config/up-config';
export { DEFAULT_API_URL, resolveClientConfig } from './config/client-config';
export type { ClientConfig, ClientOptions } from './config/client-config';
export { PLATFORM_PACKAGES, hostAddress, planHosts, planRunners } from './platform/host-plan';
export type { PlatformPackage, RunnerLaunch, SimulatedHost } from './platform/host-plan';
export {
  PLATFORM_FILE_VERSION,
  parsePlatformRecord,
  platformFilePath,
  readPlatformFile,
  removePlatformFile,
  writePlatformFile,
} from './platform/platform-file';
export type { PlatformRecord, ProcessKind, ProcessRecord } from './platform/platform-file';
export { ApiClient } from './api/api-client';
export type { ApiClientOptions, ApiResponse, RequestOptions } from './api/api-client';
export { ApiError } from './api/api-error';
export {
  INITIAL_TRACKER_STATE,
  advanceTracker,
  exitCodeFor,
  formatTrackEvent,
  selectAttempt,
} from './track/step-tracker';
export type { AttemptSnapshot, StepTrackerState, TrackEvent } from './track/step-tracker';
export { trackPlan } from './track/track-plan';
export type { TrackOptions } from './track/track-plan';
