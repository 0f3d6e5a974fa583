/**
 * First-start setup, safe to run on every start and from several api processes at once: the
 * ZooKeeper layout (`ROOT_PATHS`), `/platform/config`, and, when no API key exists, one new key
 * (printed once, saved under WHARF_HOME). Two processes starting together create one key: the
 * check-and-create runs under an ephemeral lock znode whose create fails with NODE_EXISTS for
 * the second process, which then waits and finds the key.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { WharfError, ROOT_PATHS, isWharfError, paths, serializeDocument } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ZkSession } from '@wharf/zk';
import { generateApiKey } from './auth/api-key';
import { type Clock } from './clock';
import { stageApiKeyFile } from './credentials';
import { ignoreExists } from './store/zk-errors';

/** The lock held while checking for and creating the first key (ephemeral: dies with its holder). */
export const KEY_BOOTSTRAP_LOCK = '/platform/security/bootstrap-lock';
/** How often a process waiting for another's key bootstrap re-checks. */
const LOCK_POLL_MS = 100;
/** How long to wait for another process's bootstrap before giving up (its session would expire first). */
export const LOCK_WAIT_MS = 60_000;

/** Options of {@link bootstrap}. */
export interface BootstrapOptions {
  zk: ZkSession;
  home: string;
  /** Directory of the snapshot repository written into a new `/platform/config`; default `<home>/snapshots`. */
  snapshotRepository?: string;
  domain: string;
  logger: Logger;
  clock: Clock;
  pid: number;
  /** Writes the one-time key notice (main.ts: stdout). */
  print: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** What bootstrap did. */
export interface BootstrapResult {
  /** Set when this process created the first key. */
  createdKeyId?: string;
  /** Where the key was saved when created. */
  keyFile?: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Creates whatever is missing; see the file comment. */
export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const { zk, logger } = options;
  for (const path of ROOT_PATHS) await ignoreExists(() => zk.create(path));
  const config = serializeDocument('platform-config', {
    schema_version: 1,
    domain: options.domain,
    installation_id: randomUUID(),
    created: new Date(options.clock.now()).toISOString(),
    snapshot_repository: { type: 'fs', path: options.snapshotRepository ?? join(options.home, 'snapshots') },
  });
  await ignoreExists(() => zk.create(paths.platformConfig(), config));
  const result = await ensureApiKey(options);
  logger.info('bootstrap complete', { createdKey: result.createdKeyId !== undefined });
  return result;
}

async function ensureApiKey(options: BootstrapOptions): Promise<BootstrapResult> {
  const { zk, clock } = options;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = clock.now() + LOCK_WAIT_MS;
  for (;;) {
    if ((await zk.children(paths.apiKeys())).length > 0) return {};
    try {
      await zk.create(KEY_BOOTSTRAP_LOCK, undefined, 'ephemeral');
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) throw err;
      if (clock.now() > deadline) {
        throw new WharfError('WHARF_TIMEOUT', 'another process holds the API key bootstrap lock', {
          cause: err,
        });
      }
      await sleep(LOCK_POLL_MS);
      continue;
    }
    try {
      if ((await zk.children(paths.apiKeys())).length > 0) return {};
      return await createFirstKey(options);
    } finally {
      await zk.delete(KEY_BOOTSTRAP_LOCK).catch((err: unknown) => {
        options.logger.warn('bootstrap lock release failed', { err });
      });
    }
  }
}

async function createFirstKey(options: BootstrapOptions): Promise<BootstrapResult> {
  const { zk, logger } = options;
  const generated = await generateApiKey('bootstrap', new Date(options.clock.now()));
  const staged = await stageApiKeyFile(options.home, generated.key, options.pid);
  try {
    await zk.create(paths.apiKey(generated.record.id), serializeDocument('api-key', generated.record));
  } catch (err) {
    await staged.discard();
    throw err;
  }
  await staged.commit();
  logger.info('api key created', { keyId: generated.record.id, file: staged.path });
  options.print(
    [
      '',
      'Wharf API key (shown once; also saved to the file below):',
      `  ${generated.key}`,
      `  ${staged.path}`,
      'Use it as: Authorization: ApiKey <key>',
      '',
    ].join('\n'),
  );
  return { createdKeyId: generated.record.id, keyFile: staged.path };
}
