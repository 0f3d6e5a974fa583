/** @packageDocumentation The director: installation CA, host enrolment over HTTPS, ZooKeeper quorum health (see README). */
export { publishCa } from './ca-publisher';
export { type DirectorConfig, configFromEnv, directorEnv, helpText } from './config';
export {
  CERTIFICATE_LABELS,
  Director,
  type DirectorOptions,
  type DirectorState,
  ENROL_SERVING_VALIDITY_DAYS,
  sansOf,
} from './director';
export { MAX_CSR_CHARS, MAX_TOKEN_LENGTH, type ParsedEnrolRequest, parseEnrolRequest } from './enrol-request';
export {
  type EnrolServer,
  type EnrolServerOptions,
  MAX_BODY_BYTES,
  MAX_CONCURRENT_ENROLMENTS,
  startEnrolServer,
} from './enrol-server';
export { type EnrolOptions, enrol } from './enrolment';
export { type ZooKeeperMemberOptions, ZooKeeperMember } from './zk-member';
export { type DirectorMetrics, createDirectorMetrics } from './metrics';
export { type QuorumHealth, type ServerReplies, parseMntr, parseSrvr, summarizeQuorum } from './quorum';
export {
  DEFAULT_QUORUM_INTERVAL_MS,
  FOUR_LETTER_TIMEOUT_MS,
  QuorumMonitor,
  type QuorumMonitorOptions,
  type QuorumMonitorState,
  serversOf,
} from './quorum-monitor';
