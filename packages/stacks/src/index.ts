/**
 * @packageDocumentation
 * Stack packs: what a deployment runs (command or image, ports, config rendering, health probe,
 * cluster join/leave hooks, snapshots). `etcd` is a real clustered key-value store; `http` runs any
 * command or image that serves HTTP.
 */
export type {
  BootstrapInput,
  ClusterInfo,
  HookOptions,
  InstanceCommand,
  InstanceContext,
  MemberEndpoint,
  ProbeOptions,
  ProbeResult,
  RestoreOptions,
  RestoreResult,
  SnapshotResult,
  StackPack,
} from './types';
export { getStackPack, isStackKind, stackKinds } from './registry';
export {
  PLATFORM_STACK_USER,
  STACK_ROOT_USER,
  type StackCredentials,
  generatePassword,
  initialRootPassword,
  loadPlatformSecret,
  platformSecretFile,
  platformStackCredentials,
  sharePlatformSecret,
} from './credentials';
export { EtcdAuthSession } from './etcd/auth-session';
export { DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_PROBE_TIMEOUT_MS } from './hook-options';
export { HEALTH_POLL_MS, type WaitHealthyOptions, waitForHealthy } from './health';
export { type EtcdPackOptions, createEtcdPack } from './etcd/pack';
export {
  DEFAULT_ELECTION_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  ETCD_BINARY,
  ETCD_IMAGE_REPOSITORY,
  ETCD_VERSIONS,
  type EtcdSettings,
  clientUrlOf,
  etcdAuthenticationWanted,
  etcdClusterToken,
  initialClusterOf,
  parseEtcdSettings,
  peerUrlOf,
  quotaBackendBytes,
  renderEtcdArgv,
} from './etcd/config';
export {
  ETCD_REQUEST_TIMEOUT_MS,
  type EtcdCallOptions,
  type EtcdMember,
  type EtcdStatus,
  type EtcdTarget,
  etcdCall,
  etcdGet,
  etcdHealth,
  etcdMemberList,
  etcdMoveLeader,
  etcdPut,
  etcdStatus,
} from './etcd/api';
export { HANDOFF_BUDGET_MS } from './etcd/leadership';
export { DEFAULT_SNAPSHOT_TIMEOUT_MS } from './etcd/snapshot';
export {
  FsSnapshotRepository,
  type SnapshotRepository,
  type SnapshotRepositoryConfig,
  configuredRepository,
  openRepository,
  storeVerifiedSnapshot,
} from './snapshot-repository';
export { type SnapshotKeyValue, readEtcdKeys } from './etcd/bolt';
export {
  etcdRestore,
  etcdVerifySnapshot,
  readVerifiedSnapshot,
  restoreBatches,
} from './etcd/snapshot-restore';
export { createHttpPack, httpProbe } from './http/pack';
export {
  DEFAULT_HEALTH_PATH,
  HTTP_VERSIONS,
  type HttpSettings,
  parseHttpSettings,
  renderHttpCommand,
  substituteTokens,
} from './http/config';
