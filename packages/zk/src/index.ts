/**
 * @packageDocumentation
 * ZooKeeper client layer of Wharf, the only importer of node-zookeeper-client: promise API with
 * typed errors, session manager (stall watchdog, rebuild after expiry, re-created ephemerals),
 * recipes (leader latch, tree cache, ephemeral registration, versioned update, transactions),
 * mutual TLS to the secure client port, ACLs, and an embedded server launcher.
 */
export { SYSTEM_CLOCK } from './clock';
export type { ZkClock } from './clock';
export { NOOP_LOGGER } from './logger';
export type { ZkLogger } from './logger';
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
  DEFAULT_CHROOT,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_DATA_BYTES,
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_SESSION_TIMEOUT_MS,
  DEFAULT_LIVENESS_SESSION_TIMEOUT_MS,
  DEFAULT_LEADER_SESSION_TIMEOUT_MS,
  MIN_SESSION_TIMEOUT_MS,
  compileZkOptions,
} from './options';
export type { CompiledZkOptions, ZkAclProvider, ZkSessionOptions } from './options';
export { ZK_RESULT_CODES, toWharfError } from './errors';
export { certificateIdentity, compileZkTls } from './tls';
export { ZK_TLS_ENV, zkTlsFromEnv } from './zk-tls-env';
export type { ZkTlsFiles } from './zk-tls-env';
export {
  DIRECTOR_GRANT,
  EVERYONE_X509_ID,
  WHARF_ACL_RULES,
  WHARF_ORGANIZATION,
  aclFor,
  identityX509Id,
  matchesPattern,
  roleX509Id,
  ruleFor,
  wharfAclPolicy,
} from './zk-acl-policy';
export type { ZkAclRule, ZkGrant, ZkIdentity, ZkPrincipal } from './zk-acl-policy';
export { WHARF_X509_AUTH_PROVIDER, ensureX509Provider } from './x509-provider';
export type { X509ProviderBuild } from './x509-provider';
export type { CompiledZkTls, ZkTlsOptions } from './tls';
export { ALL_PERMISSIONS, OPEN_ACL, WORLD_READABLE, x509Acl } from './acl';
export type { ZkAcl, ZkAclResult, ZkPermission } from './acl';
export { assertZkPath, baseName, joinPath, parentPath, sequenceOf } from './paths';
export { ZkSession } from './session';
export type { ZkSessionApi } from './session-api';
export type { ZkSessionEvents } from './session-state';
export { ZkTransaction } from './transaction';
export type { ZkOpFailure, ZkOpResult, ZkTransactionFailureDetails, ZkTxOp } from './transaction';
export { EphemeralRegistration } from './ephemeral-node';
export type { EphemeralRegistrationState } from './ephemeral-node';
export { LeaderLatch } from './leader-latch';
export type {
  LatchParticipant,
  LeaderLatchEvents,
  LeaderLatchOptions,
  LeaderLatchState,
} from './leader-latch';
export { TreeCache } from './tree-cache';
export type { TreeCacheEvents, TreeCacheOptions, TreeCacheState } from './tree-cache';
export type { TreeCacheEvent, TreeChangeType } from './tree-state';
export { SKIP_UPDATE, updateJson } from './update-json';
export type { UpdateFn, UpdateJsonOptions, UpdateJsonResult } from './update-json';
export { EmbeddedZooKeeper } from './embedded-zookeeper';
export type { EmbeddedZooKeeperOptions, EmbeddedZooKeeperState } from './embedded-zookeeper';
export { TLS_DIR } from './embedded-tls';
export type { EmbeddedZooKeeperTls } from './embedded-tls';
export {
  KEYSTORE_FILE,
  NETTY_CNXN_FACTORY,
  TRUSTSTORE_FILE,
  X509_AUTH_PROVIDER,
  X509_SUPERUSER_PROPERTY,
  renderKeyStorePem,
  renderQuorumTls,
  renderSecureClientPort,
} from './zk-tls-config';
export type { ClientAuthMode, QuorumTlsConfig, SecureClientPortConfig } from './zk-tls-config';
export { fourLetterWord, probeZooKeeper } from './four-letter';
export { expireSession } from './expire-session';
export { BAD_DOCUMENT_MESSAGE, MAX_REMEMBERED_BAD_DOCUMENTS, MODEL_DECODER } from './document-decoder';
export type { DocumentDecoder } from './document-decoder';
export type { DocumentPort, DocumentTxPort, VersionStat } from './document-port';
export { DocumentStore, DocumentTransaction } from './document-store';
export type { DocumentStoreOptions, StoredDocument, StoredNode } from './document-store';
export { updateDocument } from './document-update';
export type {
  DocumentUpdateFn,
  DocumentUpdateOps,
  DocumentUpdateOptions,
  DocumentUpdateResult,
} from './document-update';
export {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  DEFAULT_BATCH_LIMITS,
  encodeBackup,
  parentFirst,
  parseBackup,
  restoreBatches,
} from './backup-format';
export type { Backup, BackupNode, BatchLimits } from './backup-format';
export { DEFAULT_BACKUP_ATTEMPTS, restoreBackup, takeBackup } from './backup';
export type { BackupSession, RestoreOptions, RestoreResult, TakeBackupOptions } from './backup';
export {
  SCRAPE_TOKEN_CACHE_MS,
  SCRAPE_TOKEN_PREFIX,
  ScrapeTokenVerifier,
  bearerToken,
  generateScrapeToken,
  hashScrapeToken,
  scrapeTokenMatches,
} from './scrape-token';
export type { ScrapeTokenVerifierOptions } from './scrape-token';
export {
  DEFAULT_EVENTS_KEPT,
  EVENT_WRITE_ATTEMPTS,
  EventRecorder,
  MAX_PENDING_EVENTS,
} from './event-recorder';
export type { EventRecorderOptions } from './event-recorder';
