/**
 * @packageDocumentation
 * Test harness (private, test-only): throwaway ZooKeeper servers (plaintext or mutual TLS with a
 * test CA), free ports, temp dirs, polling and a jest fixture that wires them up.
 */
export { freePort, freePorts, isProcessAlive } from '@wharf/supervise';
export { tempDir } from './temp-dir';
export type { TempDir } from './temp-dir';
export { DEFAULT_WAIT_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, waitFor } from './wait-for';
export type { WaitForOptions } from './wait-for';
export { recordingLogger } from './recording-logger';
export type { LogEntry, RecordingLogger } from './recording-logger';
export { TEST_TICK_TIME_MS, startZooKeeper } from './zookeeper';
export { TEST_CLIENT_IDENTITY, TEST_SERVER_IDENTITY, createTestTls } from './tls-material';
export type { TestTls } from './tls-material';
export type { TestZooKeeper, TestZooKeeperOptions } from './zookeeper';
export { TEST_OPERATION_TIMEOUT_MS, TEST_SESSION_TIMEOUT_MS, useZooKeeper } from './use-zookeeper';
export type { ZooKeeperFixture } from './use-zookeeper';
export { ETCD_TEST_IMAGE, ensureDockerEngine, ensureEtcdTestImage, ensureWharfImages } from './docker';
export { etcdCreateRequest, httpResource } from './plans';
export { startEtcdProcess } from './etcd-process';
export type { EtcdProcess } from './etcd-process';
export { persistentTree } from './zk-tree';
export type { EtcdRequestOptions } from './plans';
export { runCommand } from './run-command';
export type { CommandResult, RunCommandOptions } from './run-command';
export { createRolesToken } from './roles-tokens';
export type { TestRolesTokenOptions } from './roles-tokens';
