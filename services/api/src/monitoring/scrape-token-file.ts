/**
 * First-start creation of the Prometheus scrape token: when `/platform/security/scrape-token`
 * does not exist, a new token is written to `$WHARF_HOME/credentials/scrape-token` (0600, under a
 * temporary name), its hash is created in ZooKeeper, and only then is the file renamed in place.
 * Two apis starting together: the second create fails with NODE_EXISTS and that api discards its
 * file, so the file always holds the token whose hash is stored.
 */
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isWharfError, paths, serializeDocument } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { generateScrapeToken, type ZkSession } from '@wharf/zk';
import { type Clock } from '../clock';
import { CREDENTIALS_DIR_MODE, CREDENTIALS_FILE_MODE } from '../credentials';

/** Where the scrape token lives under a WHARF_HOME (Prometheus reads it as `credentials_file`). */
export function scrapeTokenFile(home: string): string {
  return join(home, 'credentials', 'scrape-token');
}

/** Creates the token when none is stored; returns the file written, or undefined. */
export async function ensureScrapeToken(
  zk: ZkSession,
  home: string,
  clock: Clock,
  pid: number,
  logger: Logger,
): Promise<string | undefined> {
  if ((await zk.exists(paths.scrapeToken())) !== null) return undefined;
  const { token, record } = generateScrapeToken(new Date(clock.now()));
  const path = scrapeTokenFile(home);
  const dir = join(home, 'credentials');
  await mkdir(dir, { recursive: true, mode: CREDENTIALS_DIR_MODE });
  await chmod(dir, CREDENTIALS_DIR_MODE);
  const temp = `${path}.tmp-${pid}`;
  await writeFile(temp, `${token}\n`, { mode: CREDENTIALS_FILE_MODE });
  try {
    await zk.create(paths.scrapeToken(), serializeDocument('scrape-token', record));
  } catch (err) {
    await rm(temp, { force: true });
    if (isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) return undefined;
    throw err;
  }
  await rename(temp, path);
  logger.info('scrape token created', { file: path });
  return path;
}
