/**
 * Upgrading an installation whose ZooKeeper `wharf up` ran itself (a standalone server, data in
 * `<home>/zookeeper`) to one whose first director owns it (a reconfig-enabled quorum of one, data
 * in `<home>/hosts/<host-1>/director/zookeeper`): the server's database moves over before the
 * member first starts, so the member starts from it instead of an empty tree.
 *
 * What moves is `version-2/` (snapshots and transaction logs) and nothing else: the member writes
 * its own `myid`, `zoo.cfg` (`standaloneEnabled=false`, `reconfigEnabled=true`) and dynamic
 * configuration file on start, and ZooKeeper creates `currentEpoch`/`acceptedEpoch` from the
 * newest zxid when they are missing — the documented upgrade path from a standalone server
 * (QuorumPeer.loadDataBase). The move is one `rename(2)` inside one home, so it is atomic: an
 * interrupted `wharf up` leaves the data either where it was (the next `wharf up` moves it) or
 * where it goes (the member starts from it). Never both, never neither.
 *
 *   old layout                        `version-2` in <home>/zookeeper, member has no myid → move
 *   moved, member never started       `version-2` in the member dir, no myid → nothing to do
 *   member ran                        myid in the member dir → nothing to do (old dir left alone)
 *   both have data, member never ran  refuse (WHARF_CONFLICT): someone copied data by hand
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';

/** ZooKeeper's database directory inside a data directory (snapshots and transaction logs). */
export const ZK_DATABASE_DIR = 'version-2';
/** Left in the old data directory after the move, saying where the data went. */
export const MOVED_NOTE_FILE = 'MOVED.txt';

/** What {@link adoptStandaloneData} did. */
export type AdoptionOutcome = 'moved' | 'nothing-to-move' | 'member-exists';

/** True when `dir` holds a ZooKeeper database with at least one snapshot or log file. */
export async function hasDatabase(dir: string): Promise<boolean> {
  const files = await readdir(join(dir, ZK_DATABASE_DIR)).catch(() => [] as string[]);
  return files.some((f) => f.startsWith('snapshot.') || f.startsWith('log.'));
}

/**
 * Moves the standalone server's database from `from` (`<home>/zookeeper`) into the member's data
 * directory `to` unless the member has started before. Call it before the member first starts.
 */
export async function adoptStandaloneData(
  from: string,
  to: string,
  logger: Logger,
): Promise<AdoptionOutcome> {
  if (existsSync(join(to, 'myid'))) {
    if (await hasDatabase(from)) {
      logger.warn('an old zookeeper data directory is left over; the director member does not use it', {
        dir: from,
        member: to,
      });
    }
    return 'member-exists';
  }
  const source = join(from, ZK_DATABASE_DIR);
  const target = join(to, ZK_DATABASE_DIR);
  if (!existsSync(source)) return 'nothing-to-move';
  if (existsSync(target)) {
    if (!(await hasDatabase(to))) {
      // An empty database directory (a start that died before writing anything): the old data wins.
      await rename(target, join(to, `${ZK_DATABASE_DIR}.empty-${Date.now()}`));
    } else {
      throw new WharfError(
        'WHARF_CONFLICT',
        `zookeeper data in both ${from} and ${to}; keep one ${ZK_DATABASE_DIR} directory and run wharf up again`,
        {
          details: [
            { path: source, message: 'old layout' },
            { path: target, message: 'director member' },
          ],
        },
      );
    }
  }
  await mkdir(to, { recursive: true, mode: 0o700 });
  await rename(source, target);
  logger.info('zookeeper data moved to the director member', { from: source, to: target });
  // Only a note for people; the move above is the state.
  await writeFile(
    join(from, MOVED_NOTE_FILE),
    `ZooKeeper's data moved to ${target}: the director owns the server now.\n`,
  ).catch(() => undefined);
  return 'moved';
}

/**
 * `--directors 0` runs `wharf up`'s own server in `<home>/zookeeper`; if a director member's
 * database is there instead, starting would serve an empty tree over it: refuse.
 */
export async function refuseMemberData(embeddedDir: string, memberDir: string): Promise<void> {
  if (!(await hasDatabase(memberDir)) || (await hasDatabase(embeddedDir))) return;
  throw new WharfError(
    'WHARF_CONFLICT',
    `this installation's zookeeper data is the director's (${memberDir}); start it with at least one director`,
    { details: [{ path: memberDir, message: 'director member data' }] },
  );
}
