/** @packageDocumentation The director: installation CA, host enrolment over HTTPS, ZooKeeper quorum health (see README). */
export { publishCa } from './ca-publisher';
export { configFromEnv, directorEnv, helpText } from './config';
export type { DirectorConfig } from './config';
export { CERTIFICATE_LABELS, Director, ENROL_SERVING_VALIDITY_DAYS, sansOf } from './director';
export type { DirectorOptions, DirectorState } from './director';
export { MAX_CSR_CHARS, MAX_TOKEN_LENGTH, parseEnrolRequest } from './enrol-request';
export type { ParsedEnrolRequest } from './enrol-request';
export { MAX_BODY_BYTES, MAX_CONCURRENT_ENROLMENTS, startEnrolServer } from './enrol-server';
export type { EnrolServer, EnrolServerOptions } from './enrol-server';
export { enrol } from './enrolment';
export type { EnrolOptions } from './enrolment';
export { createDirectorMetrics } from './metrics';
export type { DirectorMetrics } from './metrics';
export { parseMntr, parseSrvr, summarizeQuorum } from './quorum';
export type { QuorumHealth, ServerReplies } from './quorum';
export {
  DEFAULT_QUORUM_INTERVAL_MS,
  FOUR_LETTER_TIMEOUT_MS,
  QuorumMonitor,
  serversOf,
} from './quorum-monitor';
export type { QuorumMonitorOptions, QuorumMonitorState } from './quorum-monitor';
