/**
 * @packageDocumentation Process supervision for the runner and `wharf up`: one clock, one
 * back-off, process identity and group stops, a supervised child with a `State` union, free
 * ports and HTTP health probes (see README).
 */
export { Backoff, RESTART_POLICY, nextDelay, withJitter } from './backoff';
export type { BackoffPolicy } from './backoff';
export { ManualClock, SteppingClock, systemClock } from './clock';
export type { Clock } from './clock';
export { LOOPBACK, freePort, freePorts, isPortFree } from './free-port';
export { PROBE_TIMEOUT_MS, HEALTH_POLL_MS, describeFetchError, probeHttp, waitHealthy } from './probe';
export type { ProbeResult, WaitHealthyOptions } from './probe';
export { launchProcess } from './process-child';
export type { LaunchedProcess } from './process-child';
export { sendSignal, stopProcessGroup, waitUntil } from './process-group';
export type { StopOptions, StopOutcome } from './process-group';
export { commandLineOf, groupMembers, identify, isProcessAlive, isSameProcess } from './process-identity';
export type { ProcessIdentity } from './process-identity';
export { spawnDetached } from './spawn';
export type { ChildExit, DetachedProcess, SpawnSpec } from './spawn';
export { SupervisedChild } from './supervised-child';
export type {
  Launch,
  Launched,
  State,
  StateKind,
  SupervisedChildOptions,
  SuperviseLogger,
} from './supervised-child';
