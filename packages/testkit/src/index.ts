/**
 * @packageDocumentation
 * Test harness (private, test-only): throwaway ZooKeeper servers (plaintext or mutual TLS with a
 * test CA), free ports, temp dirs, polling and a jest fixture that wires them up.
 */
export { freePort, freePorts, isProcessAlive } from '@wharf/supervise';
export { type TempDir, tempDir, useTempDir } from './temp-dir';
export { DEFAULT_WAIT_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS, type WaitForOptions, waitFor } from './wait-for';
export { type LogEntry, type RecordingLogger, recordingLogger } from './recording-logger';
export {
  TEST_TICK_TIME_MS,
  type TestZooKeeper,
  type TestZooKeeperOptions,
  startZooKeeper,
} from './zookeeper';
export { TEST_CLIENT_IDENTITY, TEST_SERVER_IDENTITY, type TestTls, createTestTls } from './tls-material';
export {
  TEST_OPERATION_TIMEOUT_MS,
  TEST_SESSION_TIMEOUT_MS,
  type ZooKeeperFixture,
  useZooKeeper,
} from './use-zookeeper';
export { ETCD_TEST_IMAGE, ensureDockerEngine, ensureEtcdTestImage, ensureWharfImages } from './docker';
export { type EtcdRequestOptions, etcdCreateRequest, httpResource } from './plans';
export { type EtcdProcess, startEtcdProcess } from './etcd-process';
export { persistentTree } from './zk-tree';
export { type CommandResult, type RunCommandOptions, runCommand } from './run-command';
export { type TestRolesTokenOptions, createRolesToken } from './roles-tokens';
export { SEED_BATCH, type SeedDeployment, seedDeployments } from './seed-deployments';
export { type DirectorProcess, startDirectorProcess } from './director-process';
