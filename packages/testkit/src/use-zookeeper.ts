import { ZkSession, type ZkSessionOptions } from '@wharf/zk';
import { startZooKeeper, type TestZooKeeper, type TestZooKeeperOptions } from './zookeeper';

/**
 * Session timeout for test sessions: 2 s (10 ticks) makes a stall show as `suspended` in ~1.4 s
 * and a loss in ~2 s, while leaving headroom over scheduling jitter on a loaded 2-core box.
 */
export const TEST_SESSION_TIMEOUT_MS = 2000;

/** Operation deadline for test sessions: fail fast enough that a hung call shows within a test. */
export const TEST_OPERATION_TIMEOUT_MS = 3000;

/** JVM start-up on a busy CI box can take a few seconds. */
export const START_ZOOKEEPER_TIMEOUT_MS = 30_000;

/** What {@link useZooKeeper} hands a test file. */
export interface ZooKeeperFixture {
  /** The server (available inside tests, after `beforeAll`). */
  readonly zk: TestZooKeeper;
  readonly connectString: string;
  /** A chroot unique to the running test; every session of the test shares it. */
  readonly chroot: string;
  /**
   * Opens and starts a session on the test's chroot with short test timeouts; it is closed
   * after the test. Against a TLS server it connects with the default test client certificate.
   */
  session(overrides?: Partial<ZkSessionOptions>): Promise<ZkSession>;
}

/**
 * Jest helper: one ZooKeeper per test file (started in `beforeAll`, stopped and deleted in
 * `afterAll`), a fresh chroot per test, sessions closed after each test.
 *
 * ```ts
 * const zk = useZooKeeper();
 * test('x', async () => { const s = await zk.session(); … });
 * ```
 */
export function useZooKeeper(options: TestZooKeeperOptions = {}): ZooKeeperFixture {
  let server: TestZooKeeper | null = null;
  let testNumber = 0;
  const open: ZkSession[] = [];

  beforeAll(async () => {
    server = await startZooKeeper(options);
  }, START_ZOOKEEPER_TIMEOUT_MS);

  beforeEach(() => {
    testNumber++;
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await server?.close();
    server = null;
  });

  const fixture: ZooKeeperFixture = {
    get zk(): TestZooKeeper {
      if (server === null) throw new Error('useZooKeeper: server not started (use it inside a test)');
      return server;
    },
    get connectString(): string {
      return fixture.zk.connectString;
    },
    get chroot(): string {
      return `/wharf-test-${testNumber}`;
    },
    async session(overrides: Partial<ZkSessionOptions> = {}): Promise<ZkSession> {
      const tls = fixture.zk.tls;
      const session = new ZkSession({
        ...(tls === null ? {} : { tls: await tls.client() }),
        connectString: fixture.connectString,
        chroot: fixture.chroot,
        sessionTimeoutMs: TEST_SESSION_TIMEOUT_MS,
        operationTimeoutMs: TEST_OPERATION_TIMEOUT_MS,
        connectTimeoutMs: START_ZOOKEEPER_TIMEOUT_MS,
        ...overrides,
      });
      open.push(session);
      await session.start();
      return session;
    },
  };
  return fixture;
}
