/**
 * @packageDocumentation Process supervision for the runner and `wharf up`: one clock, one
 * back-off, process identity and group stops, a supervised child with a `State` union, free
 * ports and HTTP health probes (see README).
 */
export { Backoff, type BackoffPolicy, RESTART_POLICY, nextDelay, withJitter } from './backoff';
export { type Clock, ManualClock, SteppingClock, systemClock } from './clock';
export { LOOPBACK, freePort, freePorts, isPortFree } from './free-port';
export {
  HEALTH_POLL_MS,
  PROBE_TIMEOUT_MS,
  type ProbeResult,
  type WaitHealthyOptions,
  describeFetchError,
  probeHttp,
  waitHealthy,
} from './probe';
export { type LaunchedProcess, launchProcess } from './process-child';
export { type StopOptions, type StopOutcome, sendSignal, stopProcessGroup, waitUntil } from './process-group';
export {
  type ProcessIdentity,
  commandLineOf,
  groupMembers,
  identify,
  isProcessAlive,
  isSameProcess,
} from './process-identity';
export { type ChildExit, type DetachedProcess, type SpawnSpec, spawnDetached } from './spawn';
export {
  type Launch,
  type Launched,
  type State,
  type StateKind,
  type SuperviseLogger,
  SupervisedChild,
  type SupervisedChildOptions,
} from './supervised-child';
