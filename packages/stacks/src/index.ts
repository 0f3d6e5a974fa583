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
  RestoreResult,
  RestoreOptions,
  SnapshotResult,
  StackPack,
} from './types';
export { getStackPack, isStackKind, stackKinds } from './registry';
export { DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_PROBE_TIMEOUT_MS } from './hook-options';
export { HEALTH_POLL_MS, waitForHealthy } from './health';
export type { WaitHealthyOptions } from './health';
export { createEtcdPack } from './etcd/pack';
export type { EtcdPackOptions } from './etcd/pack';
export {
  DEFAULT_ELECTION_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  ETCD_BINARY,
  ETCD_IMAGE_REPOSITORY,
  ETCD_VERSIONS,
  clientUrlOf,
  etcdClusterToken,
  initialClusterOf,
  parseEtcdSettings,
  peerUrlOf,
  quotaBackendBytes,
  renderEtcdArgv,
} from './etcd/config';
export type { EtcdSettings } from './etcd/config';
export {
  ETCD_REQUEST_TIMEOUT_MS,
  etcdCall,
  etcdGet,
  etcdHealth,
  etcdMemberList,
  etcdMoveLeader,
  etcdPut,
  etcdStatus,
} from './etcd/api';
export { HANDOFF_BUDGET_MS } from './etcd/leadership';
export type { EtcdCallOptions, EtcdMember, EtcdStatus, EtcdTarget } from './etcd/api';
export { DEFAULT_SNAPSHOT_TIMEOUT_MS } from './etcd/snapshot';
export {
  FsSnapshotRepository,
  configuredRepository,
  openRepository,
  storeVerifiedSnapshot,
  type SnapshotRepository,
  type SnapshotRepositoryConfig,
} from './snapshot-repository';
export { readEtcdKeys } from './etcd/bolt';
export type { SnapshotKeyValue } from './etcd/bolt';
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
  parseHttpSettings,
  renderHttpCommand,
  substituteTokens,
} from './http/config';
export type { HttpSettings } from './http/config';
