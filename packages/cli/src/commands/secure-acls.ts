/**
 * `wharf platform secure-acls`: the step that turns an installation that ran in plain mode into a
 * secure one at the ZooKeeper level. Nodes written in plain mode keep ZooKeeper's open ACL after
 * the server goes TLS-only (ACLs are set at create time and never inherited), so any certificate
 * of the installation could still write them; this walks the chroot and gives each open node the
 * ACL of the role policy (`@wharf/zk` migrateAcls). An operator step rather than something the
 * director does at start: it changes what every running service may write, so it is run once,
 * knowingly, after every service is on certificates; it is idempotent, and a rerun after a crash
 * completes it. Run with the director's certificate (the policy grants the director `admin`).
 */
import { resolve } from 'node:path';
import { type Command } from 'commander';
import { readTlsCredentials } from '@wharf/pki';
import { ZkSession, migrateAcls, type AclMigrationReport } from '@wharf/zk';
import { DEFAULT_HOME } from '../config/up-config';
import { type CliContext } from '../context';
import { act, optionGroup, runner } from '../program';
import { resolveZk, type PlatformZkOptions } from './platform-backup';

/** `platform secure-acls` options. */
export interface SecureAclsOptions extends PlatformZkOptions {
  /** The director's `{cert,key,ca}.pem` (default `<WHARF_HOME>/tls/director`, as `host join` writes it). */
  certDir?: string;
  dryRun?: boolean;
}

/** Runs `platform secure-acls`: exit 1 when some node could not be migrated (NoAuth). */
export async function runSecureAcls(options: SecureAclsOptions, ctx: CliContext): Promise<number> {
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? DEFAULT_HOME);
  const certDir = resolve(ctx.cwd, options.certDir ?? resolve(home, 'tls', 'director'));
  const tls = await readTlsCredentials(certDir);
  const { connectString, chroot } = await resolveZk(options, ctx);
  // acl null: this session creates nothing; it only reads and sets ACLs.
  const zk = new ZkSession({ connectString, chroot, tls, acl: null });
  let report: AclMigrationReport;
  try {
    await zk.start();
    report = await migrateAcls(zk, { dryRun: options.dryRun === true });
  } finally {
    await zk.close();
  }
  if (options.json)
    ctx.stdout.write(`${JSON.stringify({ chroot, dryRun: options.dryRun === true, ...report })}\n`);
  else printReport(chroot, report, options.dryRun === true, ctx);
  return report.denied === 0 ? 0 : 1;
}

function printReport(chroot: string, report: AclMigrationReport, dryRun: boolean, ctx: CliContext): void {
  const verb = dryRun ? 'would secure' : 'secured';
  ctx.stdout.write(
    `${chroot}: ${report.visited} nodes, ${verb} ${report.secured} (${report.ownerUnknown} without a ` +
      `writer entry), ${report.alreadySecure} already secure, ${report.vanished} vanished, ` +
      `${report.denied} denied\n`,
  );
  for (const path of report.paths.ownerUnknown) ctx.stdout.write(`  no owner named by its path: ${path}\n`);
  for (const path of report.paths.denied) ctx.stderr.write(`  denied (NoAuth): ${path}\n`);
  if (report.denied > 0) {
    ctx.stderr.write('error: some nodes were not migrated: run again with the director certificate\n');
  }
}

/** Adds `wharf platform secure-acls` to `program`; `setExitCode` receives the exit code. */
export function addSecureAclsCommand(
  program: Command,
  ctx: CliContext,
  setExitCode: (code: number) => void,
): void {
  const platform =
    program.commands.find((c) => c.name() === 'platform') ??
    program.command('platform').description('installation-wide operations');
  const zkOptions = optionGroup(
    ['--zk <connect>', 'ZooKeeper secure client port(s) (env WHARF_ZK, default: from platform.json)'],
    ['--zk-chroot <path>', 'chroot of the installation (env WHARF_ZK_CHROOT, default /wharf)'],
  );
  zkOptions(
    platform
      .command('secure-acls')
      .description(
        'give every node still open from plain mode the ACL of its role (idempotent; rerun after a crash)',
      )
      .option(
        '--cert-dir <dir>',
        "the director's cert.pem, key.pem, ca.pem (default $WHARF_HOME/tls/director)",
      )
      .option('--dry-run', 'count what would change, change nothing'),
  ).action(act(runner(setExitCode), (options: SecureAclsOptions) => runSecureAcls(options, ctx)));
}
