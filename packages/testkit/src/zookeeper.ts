import { freePort } from '@wharf/supervise';
import { EmbeddedZooKeeper, type ZkLogger } from '@wharf/zk';
import { tempDir, type TempDir } from './temp-dir';
import { createTestTls, type TestTls } from './tls-material';

/**
 * Tick for test servers: 200 ms lets sessions be as short as 400 ms–4 s, so expiry and stall
 * tests finish in seconds.
 */
export const TEST_TICK_TIME_MS = 200;

/** A just-freed port can be grabbed by someone else before the JVM binds it; try a few. */
const START_ATTEMPTS = 3;

/** Options for {@link startZooKeeper}. */
export interface TestZooKeeperOptions {
  tickTimeMs?: number;
  logger?: ZkLogger;
  /**
   * Serve mutual TLS only (`secureClientPort`, `ssl.clientAuth=need`, x509 auth) with a fresh
   * test CA; `true` or the CA material to reuse.
   */
  tls?: boolean | TestTls;
}

/** A throwaway ZooKeeper on a free loopback port with a temp data dir. */
export interface TestZooKeeper {
  readonly server: EmbeddedZooKeeper;
  /** `127.0.0.1:<port>`. */
  readonly connectString: string;
  readonly port: number;
  readonly dataDir: string;
  /** The TLS material when started with `tls`, else null. */
  readonly tls: TestTls | null;
  /** Graceful stop (same port and data are kept for `restart`/`start`). */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same port and data. */
  start(): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** SIGSTOP: the server hangs without closing connections. */
  freeze(): Promise<void>;
  /** SIGCONT. */
  thaw(): void;
  restart(): Promise<void>;
  /** Stops the server and removes its data dir. Idempotent. */
  close(): Promise<void>;
}

/** Starts a ZooKeeper for a test (about 1 s on a cold JVM). */
export async function startZooKeeper(options: TestZooKeeperOptions = {}): Promise<TestZooKeeper> {
  let lastError: unknown;
  const tls = options.tls === true ? await createTestTls() : options.tls || null;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const dir = await tempDir('wharf-zk');
    const server = new EmbeddedZooKeeper({
      dataDir: dir.path,
      port: await freePort(),
      tickTimeMs: options.tickTimeMs ?? TEST_TICK_TIME_MS,
      logger: options.logger,
      ...(tls === null ? {} : { tls: tls.serverOptions() }),
    });
    try {
      await server.start();
      return wrap(server, dir, tls);
    } catch (err) {
      lastError = err;
      await dir.cleanup();
    }
  }
  throw lastError;
}

function wrap(server: EmbeddedZooKeeper, dir: TempDir, tls: TestTls | null): TestZooKeeper {
  let closed: Promise<void> | null = null;
  return {
    server,
    connectString: server.connectString,
    port: server.port,
    dataDir: dir.path,
    tls,
    stop: () => server.stop(),
    start: () => server.start(),
    kill: () => server.kill(),
    freeze: () => server.freeze(),
    thaw: () => server.thaw(),
    restart: () => server.restart(),
    close: () => {
      closed ??= server.stop().then(() => dir.cleanup());
      return closed;
    },
  };
}
