/**
 * `wharf platform backup --out FILE` and `wharf platform restore --in FILE [--force]`: the whole
 * ZooKeeper state of an installation to a versioned file and back (logic in `@wharf/zk` backup).
 * ZooKeeper is found from `--zk`/`--zk-chroot`, else WHARF_ZK/WHARF_ZK_CHROOT, else the
 * platform.json of `wharf up` under $WHARF_HOME. The file holds API key hashes: written 0600,
 * through a temporary file renamed into place, so a reader never sees half a backup.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type Command } from 'commander';
import { WharfError } from '@wharf/model';
import { ZkSession, encodeBackup, parseBackup, restoreBackup, takeBackup } from '@wharf/zk';
import { DEFAULT_HOME } from '../config/up-config';
import { type CliContext } from '../context';
import { readPlatformFile } from '@wharf/platform';
import { act, optionGroup, runner } from '../program';

/** Chroot of the services when nothing says otherwise. */
const DEFAULT_CHROOT = '/wharf';

/** Options of both commands. */
export interface PlatformZkOptions {
  home?: string;
  json?: boolean;
  zk?: string;
  zkChroot?: string;
}

/** `platform backup` options. */
export interface BackupOptions extends PlatformZkOptions {
  out: string;
}

/** `platform restore` options. */
export interface RestoreCommandOptions extends PlatformZkOptions {
  in: string;
  force?: boolean;
}

/** Where the installation's ZooKeeper is. */
export async function resolveZk(
  options: PlatformZkOptions,
  ctx: CliContext,
): Promise<{ connectString: string; chroot: string }> {
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? DEFAULT_HOME);
  const record = (options.zk ?? ctx.env.WHARF_ZK) === undefined ? await readPlatformFile(home) : undefined;
  const connectString = options.zk ?? ctx.env.WHARF_ZK ?? record?.zookeeper.connect_string;
  if (connectString === undefined) {
    const message = `give --zk (or WHARF_ZK): no platform.json under ${home}`;
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--zk', message }] });
  }
  const chroot = options.zkChroot ?? ctx.env.WHARF_ZK_CHROOT ?? record?.zookeeper.chroot ?? DEFAULT_CHROOT;
  return { connectString, chroot };
}

async function withSession<T>(
  options: PlatformZkOptions,
  ctx: CliContext,
  fn: (zk: ZkSession, chroot: string) => Promise<T>,
): Promise<T> {
  const { connectString, chroot } = await resolveZk(options, ctx);
  const zk = new ZkSession({ connectString, chroot });
  try {
    await zk.start();
    return await fn(zk, chroot);
  } finally {
    await zk.close();
  }
}

/** Writes `text` to `file` with mode 0600, atomically (temporary file + rename). */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, file);
}

/** Runs `platform backup`. */
export async function runBackup(options: BackupOptions, ctx: CliContext): Promise<number> {
  const out = resolve(ctx.cwd, options.out);
  const backup = await withSession(options, ctx, (zk, chroot) => takeBackup(zk, { chroot }));
  await writePrivateFile(out, encodeBackup(backup));
  const summary = { file: out, nodes: backup.nodes.length, zxid: backup.zxid, taken_at: backup.taken_at };
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify(summary)}\n`
      : `backup of ${backup.chroot}: ${summary.nodes} nodes at zxid ${summary.zxid} → ${out}\n`,
  );
  return 0;
}

/** Runs `platform restore`. */
export async function runRestore(options: RestoreCommandOptions, ctx: CliContext): Promise<number> {
  const file = resolve(ctx.cwd, options.in);
  const backup = parseBackup(await readFile(file, 'utf8'));
  const result = await withSession(options, ctx, (zk) =>
    restoreBackup(zk, backup, { force: options.force === true }),
  );
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify({ file, ...result })}\n`
      : `restored ${file} (taken ${backup.taken_at}, zxid ${backup.zxid}): ${result.created} created, ` +
          `${result.overwritten} overwritten, ${result.transactions} transactions\n`,
  );
  return 0;
}

/** Adds `wharf platform backup|restore` to `program`; `setExitCode` receives each exit code. */
export function addPlatformBackupCommands(
  program: Command,
  ctx: CliContext,
  setExitCode: (code: number) => void,
): void {
  const run = runner(setExitCode);
  const platform =
    program.commands.find((c) => c.name() === 'platform') ??
    program.command('platform').description('installation-wide operations');
  const zkOptions = optionGroup(
    ['--zk <connect>', 'ZooKeeper connect string (env WHARF_ZK, default: from platform.json)'],
    ['--zk-chroot <path>', 'chroot of the installation (env WHARF_ZK_CHROOT, default /wharf)'],
  );
  zkOptions(
    platform
      .command('backup')
      .description('write the whole ZooKeeper state of the installation (no ephemerals) to a file, mode 0600')
      .requiredOption('--out <file>', 'the backup file to write'),
  ).action(act(run, (options: BackupOptions) => runBackup(options, ctx)));
  zkOptions(
    platform
      .command('restore')
      .description('bring an empty ZooKeeper back to a backup (creates parents first, in transactions)')
      .requiredOption('--in <file>', 'the backup file to read')
      .option(
        '--force',
        'restore into a ZooKeeper that holds data: create what is missing, overwrite the rest',
      ),
  ).action(act(run, (options: RestoreCommandOptions) => runRestore(options, ctx)));
}
