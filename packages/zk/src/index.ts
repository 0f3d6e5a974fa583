/**
 * @packageDocumentation
 * ZooKeeper client layer of Wharf, the only importer of node-zookeeper-client: promise API with
 * typed errors, session manager (stall watchdog, rebuild after expiry, re-created ephemerals),
 * recipes (leader latch, tree cache, ephemeral registration, versioned update, transactions),
 * mutual TLS to the secure client port, ACLs, and an embedded server launcher.
 */
export { SYSTEM_CLOCK, type ZkClock } from './clock';
export { NOOP_LOGGER, type ZkLogger } from './logger';
export type {
  ZkChildren,
  ZkConnectionEvent,
  ZkCreateMode,
  ZkData,
  ZkJson,
  ZkNode,
  ZkSessionState,
  ZkStat,
  ZkStateChange,
  ZkWatchEvent,
  ZkWatchEventType,
  ZkWatcher,
} from './types';
export {
  type CompiledZkOptions,
  DEFAULT_CHROOT,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_LEADER_SESSION_TIMEOUT_MS,
  DEFAULT_LIVENESS_SESSION_TIMEOUT_MS,
  DEFAULT_MAX_DATA_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_SESSION_TIMEOUT_MS,
  MIN_SESSION_TIMEOUT_MS,
  type ZkAclProvider,
  type ZkSessionOptions,
  compileZkOptions,
} from './options';
export { ZK_RESULT_CODES, toWharfError } from './errors';
export { type CompiledZkTls, type ZkTlsOptions, certificateIdentity, compileZkTls } from './tls';
export { ZK_TLS_ENV, type ZkTlsFiles, zkTlsFromEnv } from './zk-tls-env';
export {
  DIRECTOR_GRANT,
  EVERYONE_X509_ID,
  WHARF_ACL_RULES,
  WHARF_ORGANIZATION,
  type ZkAclRule,
  type ZkGrant,
  type ZkIdentity,
  type ZkPrincipal,
  aclFor,
  aclForOwner,
  identityX509Id,
  matchesPattern,
  roleX509Id,
  ruleFor,
  wharfAclPolicy,
} from './zk-acl-policy';
export { type AclDecision, decideAcl, inferOwner, isSecured } from './acl-migration-plan';
export {
  type AclMigrationOptions,
  type AclMigrationReport,
  DEFAULT_MIGRATION_CONCURRENCY,
  migrateAcls,
} from './acl-migration';
export { WHARF_X509_AUTH_PROVIDER, type X509ProviderBuild, ensureX509Provider } from './x509-provider';
export {
  ALL_PERMISSIONS,
  OPEN_ACL,
  WORLD_READABLE,
  type ZkAcl,
  type ZkAclResult,
  type ZkPermission,
  x509Acl,
} from './acl';
export { assertZkPath, baseName, joinPath, parentPath, sequenceOf } from './paths';
export { ZkSession } from './session';
export { type ZkServerAddress, parseServerList, serversFromConfig } from './server-list';
export { type ServiceFacts, registerService } from './service-registration';
export type { ZkSessionApi } from './session-api';
export type { ZkSessionEvents } from './session-state';
export {
  type ZkOpFailure,
  type ZkOpResult,
  ZkTransaction,
  type ZkTransactionFailureDetails,
  type ZkTxOp,
} from './transaction';
export { EphemeralRegistration, type EphemeralRegistrationState } from './ephemeral-node';
export {
  type LatchParticipant,
  LeaderLatch,
  type LeaderLatchEvents,
  type LeaderLatchOptions,
  type LeaderLatchState,
} from './leader-latch';
export { TreeCache, type TreeCacheEvents, type TreeCacheOptions, type TreeCacheState } from './tree-cache';
export type { TreeCacheEvent, TreeChangeType } from './tree-state';
export {
  SKIP_UPDATE,
  type UpdateFn,
  type UpdateJsonOptions,
  type UpdateJsonResult,
  updateJson,
} from './update-json';
export {
  type EnsembleConfig,
  type EnsembleServer,
  type ReconfigureOptions,
  type ReconfigureTls,
  ensembleConnectString,
  parseEnsembleConfig,
  readEnsembleConfig,
  reconfigureEnsemble,
  renderDynamicConfig,
  serverSpec,
  superDigest,
} from './ensemble';
export {
  type RemovalInput,
  type RemovalPlan,
  decideRemoval,
  memberConfig,
  memberMode,
  servingMembers,
} from './ensemble-removal';
export {
  ADDITION_REFUSALS,
  type AdditionInput,
  type AdditionPlan,
  type AdditionRefusal,
  decideAddition,
  nextMemberId,
} from './ensemble-addition';
export {
  MEMBER_LISTED_MARKER,
  MEMBER_REMOVED_MARKER,
  type MemberDataVerdict,
  clearStaleMemberData,
  judgeMemberData,
  memberServerPids,
} from './ensemble-member-data';
export {
  EmbeddedZooKeeper,
  type EmbeddedEnsemble,
  type EmbeddedZooKeeperOptions,
  type EmbeddedZooKeeperState,
} from './embedded-zookeeper';
export { type EmbeddedZooKeeperTls, TLS_DIR } from './embedded-tls';
export {
  type ClientAuthMode,
  KEYSTORE_FILE,
  NETTY_CNXN_FACTORY,
  type QuorumTlsConfig,
  type SecureClientPortConfig,
  TRUSTSTORE_FILE,
  X509_AUTH_PROVIDER,
  X509_SUPERUSER_PROPERTY,
  renderKeyStorePem,
  renderQuorumTls,
  renderSecureClientPort,
} from './zk-tls-config';
export { fourLetterWord, probeZooKeeper } from './four-letter';
export { expireSession } from './expire-session';
export {
  BAD_DOCUMENT_MESSAGE,
  type DocumentDecoder,
  MAX_REMEMBERED_BAD_DOCUMENTS,
  MODEL_DECODER,
} from './document-decoder';
export type { DocumentPort, DocumentTxPort, VersionStat } from './document-port';
export {
  DocumentStore,
  type DocumentStoreOptions,
  DocumentTransaction,
  type StoredDocument,
  type StoredNode,
} from './document-store';
export {
  type DocumentUpdateFn,
  type DocumentUpdateOps,
  type DocumentUpdateOptions,
  type DocumentUpdateResult,
  updateDocument,
} from './document-update';
export {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type Backup,
  type BackupNode,
  type BatchLimits,
  DEFAULT_BATCH_LIMITS,
  encodeBackup,
  parentFirst,
  parseBackup,
  restoreBatches,
} from './backup-format';
export {
  type BackupSession,
  DEFAULT_BACKUP_ATTEMPTS,
  type RestoreOptions,
  type RestoreResult,
  type TakeBackupOptions,
  restoreBackup,
  takeBackup,
} from './backup';
export {
  SCRAPE_TOKEN_CACHE_MS,
  SCRAPE_TOKEN_PREFIX,
  ScrapeTokenVerifier,
  type ScrapeTokenVerifierOptions,
  bearerToken,
  generateScrapeToken,
  hashScrapeToken,
  scrapeTokenMatches,
} from './scrape-token';
export {
  DEFAULT_EVENTS_KEPT,
  EVENT_WRITE_ATTEMPTS,
  EventRecorder,
  type EventRecorderOptions,
  MAX_PENDING_EVENTS,
} from './event-recorder';
