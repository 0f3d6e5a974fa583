/**
 * The move of an old installation's ZooKeeper data (`<home>/zookeeper`, a standalone server's)
 * to director 1's member, on a real file system: every state an interrupted `wharf up` can leave
 * either resumes or refuses, and none ends with the member starting without the data. The e2e
 * test `test/director-zookeeper.test.ts` starts a real member from moved data.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWharfError } from '@wharf/model';
import { createTestLogger } from '@wharf/observability';
import { adoptStandaloneData, hasDatabase, refuseMemberData } from '../src/zookeeper-adoption';

let root: { path: string };
let from: string;
let to: string;

/** A database as ZooKeeper writes one: `version-2/` with a snapshot and a transaction log. */
async function database(dir: string, tag: string): Promise<void> {
  await mkdir(join(dir, 'version-2'), { recursive: true });
  await writeFile(join(dir, 'version-2', 'snapshot.0'), tag);
  await writeFile(join(dir, 'version-2', 'log.1'), tag);
}

beforeEach(async () => {
  root = { path: await mkdtemp(join(tmpdir(), 'wharf-adoption-')) };
  from = join(root.path, 'zookeeper');
  to = join(root.path, 'hosts', 'host-1', 'director', 'zookeeper');
});

afterEach(async () => {
  await rm(root.path, { recursive: true, force: true });
});

describe('adoptStandaloneData', () => {
  it('moves the old database into the member directory, and leaves a note', async () => {
    await database(from, 'old');
    await writeFile(join(from, 'zoo.cfg'), 'clientPort=2181\n');
    expect(await adoptStandaloneData(from, to, createTestLogger())).toBe('moved');
    expect(await readFile(join(to, 'version-2', 'snapshot.0'), 'utf8')).toBe('old');
    expect(existsSync(join(from, 'version-2'))).toBe(false);
    // Only the database moves: the member writes its own zoo.cfg and myid.
    expect(existsSync(join(to, 'zoo.cfg'))).toBe(false);
    expect(await readFile(join(from, 'MOVED.txt'), 'utf8')).toContain(join(to, 'version-2'));
  });

  it('resumes after a start that died between the move and the member’s first start', async () => {
    await database(to, 'moved'); // moved, no myid yet
    expect(await adoptStandaloneData(from, to, createTestLogger())).toBe('nothing-to-move');
    expect(await hasDatabase(to)).toBe(true);
    // ... and running it again changes nothing.
    expect(await adoptStandaloneData(from, to, createTestLogger())).toBe('nothing-to-move');
    expect(await readFile(join(to, 'version-2', 'log.1'), 'utf8')).toBe('moved');
  });

  it('leaves a member that ran alone, and says an old directory is left over', async () => {
    await database(from, 'old');
    await database(to, 'member');
    await writeFile(join(to, 'myid'), '1\n');
    const logger = createTestLogger();
    expect(await adoptStandaloneData(from, to, logger)).toBe('member-exists');
    expect(await readFile(join(to, 'version-2', 'log.1'), 'utf8')).toBe('member');
    expect(await hasDatabase(from)).toBe(true);
    expect(logger.entries.map((e) => e.level)).toContain('warn');
  });

  it('refuses when both hold a database and the member never ran, touching neither', async () => {
    await database(from, 'old');
    await database(to, 'other');
    const err = await adoptStandaloneData(from, to, createTestLogger()).catch((e: unknown) => e);
    expect(isWharfError(err) && err.code).toBe('WHARF_CONFLICT');
    expect(await readFile(join(from, 'version-2', 'log.1'), 'utf8')).toBe('old');
    expect(await readFile(join(to, 'version-2', 'log.1'), 'utf8')).toBe('other');
  });

  it('lets the old database win over an empty one in the member directory', async () => {
    await database(from, 'old');
    await mkdir(join(to, 'version-2'), { recursive: true });
    expect(await adoptStandaloneData(from, to, createTestLogger())).toBe('moved');
    expect(await readFile(join(to, 'version-2', 'log.1'), 'utf8')).toBe('old');
  });

  it('has nothing to do on a new installation', async () => {
    expect(await adoptStandaloneData(from, to, createTestLogger())).toBe('nothing-to-move');
    expect(existsSync(to)).toBe(false);
  });
});

describe('refuseMemberData (--directors 0)', () => {
  it('refuses to start an empty embedded server over the director member’s database', async () => {
    await database(to, 'member');
    const err = await refuseMemberData(from, to).catch((e: unknown) => e);
    expect(isWharfError(err) && err.code).toBe('WHARF_CONFLICT');
    await database(from, 'old');
    await expect(refuseMemberData(from, to)).resolves.toBeUndefined();
    await expect(refuseMemberData(join(root.path, 'x'), join(root.path, 'y'))).resolves.toBeUndefined();
  });
});
