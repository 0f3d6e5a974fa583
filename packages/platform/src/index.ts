/**
 * @packageDocumentation
 * The single-host platform `wharf up` runs: ZooKeeper (embedded unless one answers; with three
 * directors, their ensemble, each director owning its member), then one
 * `wharf-runner` per simulated host (host-n at 127.0.0.n) with its roles, readiness checks, and the
 * platform record (`$WHARF_HOME/run/platform.json`) that `wharf status` and `wharf down` read. The
 * CLI compiles the configuration from flags and environment and drives a {@link PlatformSupervisor};
 * the process supervision itself is `@wharf/supervise`'s, shared with the runner.
 */
export {
  type AllocatorSettings,
  DEFAULT_ZK_PEER_PORTS,
  LOOPBACK,
  UP_MODES,
  type UpConfig,
  type UpMode,
  type ZooKeeperSettings,
  directorsOwnZooKeeper,
  fixedPorts,
  hostCount,
} from './config';
export { type DirectorLaunch, memberDataDir, planDirectors, planMembers } from './director-plan';
export {
  type GrownDirector,
  type GrownDirectorInput,
  issueGrownDirectorTls,
  planGrownDirector,
  shareDirectorSecrets,
} from './director-growth';
export { type PlatformState, PlatformSupervisor, type PlatformSupervisorOptions } from './supervisor';
export { type RunnerLaunch, type SimulatedHost, hostAddress, planHosts, planRunners } from './host-plan';
export {
  type PlatformRecord,
  type ProcessKind,
  type ProcessRecord,
  isRecordedRunning,
  parsePlatformRecord,
  platformFilePath,
  readPlatformFile,
  removePlatformFile,
} from './platform-file';
export { findPackageDir, resolveDirectorEntry, resolveServiceEntries } from './service-entries';
export { type ExpectedRegistrations, missingRegistrations } from './registration';
export { probeZk } from './zookeeper-keeper';
export { type ReadyInfo, formatReadyInfo } from './ready-info';
export { logTail, probeHealth } from './readiness';
export { API_HTTPS_DIR, apiServerNames, hostTlsDir } from './secure-bootstrap';
export { CA_FETCH_DEFAULT_TIMEOUT_MS, type CaFetchOptions, createCaFetch } from './ca-fetch';
