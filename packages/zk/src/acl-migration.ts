import { isWharfError } from '@wharf/model';
import { decideAcl } from './acl-migration-plan';
import { NOOP_LOGGER, type ZkLogger } from './logger';
import { type ZkSession } from './session';

/*
 * The ACL migration of an installation that ran in plain mode (open ACLs) and now runs secure:
 * walks the session's chroot and gives every node that is still open the ACL of the role policy
 * (acl-migration-plan.ts decides, zk-acl-policy.ts is the table). Run it with the director's
 * certificate: the policy grants the director `read` and `admin` on every node, so a node it
 * migrated stays readable and repairable by it, and open nodes let anyone set their ACL.
 *
 * Idempotent and resumable without a journal: a node whose ACL is all-x509 is left alone, so a
 * rerun after a crash skips what was done and completes the rest. Each setACL is conditional on
 * the ACL version read (`aversion`), so a concurrent change is re-read, never overwritten.
 */

/** Requests in flight: enough to hide a loopback round trip, few enough not to crowd the server. */
export const DEFAULT_MIGRATION_CONCURRENCY = 8;
/** Re-reads of one node whose ACL changed between our read and our write. */
const SET_ACL_ATTEMPTS = 3;
/** Paths listed in the report per kind (the counts are complete). */
const MAX_REPORTED_PATHS = 20;
/** ZooKeeper's own subtree, present when the session has no chroot: not Wharf's to change. */
const ZOOKEEPER_SUBTREE = '/zookeeper';

/** Options of {@link migrateAcls}. */
export interface AclMigrationOptions {
  /** Decide and count, change nothing. */
  readonly dryRun?: boolean;
  readonly concurrency?: number;
  readonly logger?: ZkLogger;
  /** Called after each node is secured; a throw aborts the walk (tests simulate a crash with it). */
  readonly onSecured?: (path: string) => void;
}

/** What {@link migrateAcls} did (or, in a dry run, would do). */
export interface AclMigrationReport {
  /** Nodes whose ACL was read. */
  visited: number;
  /** Open nodes given the policy's ACL. */
  secured: number;
  /** Of those, nodes whose rule grants their writer but whose path names none: no writer entry. */
  ownerUnknown: number;
  /** Nodes already all-x509, left as they were. */
  alreadySecure: number;
  /** Nodes deleted while the walk reached them. */
  vanished: number;
  /** Nodes this certificate may not read or re-ACL (NoAuth): the run is incomplete then. */
  denied: number;
  /** Up to 20 paths of each kind worth a look. */
  paths: { ownerUnknown: string[]; denied: string[] };
}

/** Secures the open nodes of the session's chroot; see the file comment. */
export async function migrateAcls(
  zk: ZkSession,
  options: AclMigrationOptions = {},
): Promise<AclMigrationReport> {
  const report: AclMigrationReport = {
    visited: 0,
    secured: 0,
    ownerUnknown: 0,
    alreadySecure: 0,
    vanished: 0,
    denied: 0,
    paths: { ownerUnknown: [], denied: [] },
  };
  const logger = options.logger ?? NOOP_LOGGER;
  const visit = async (path: string): Promise<string[]> => {
    try {
      // Children first: a node re-ACLed before its listing could be unreadable by a non-director.
      const children = await zk.children(path);
      await migrateNode(zk, path, report, options);
      return children
        .map((c) => (path === '/' ? `/${c}` : `${path}/${c}`))
        .filter((p) => p !== ZOOKEEPER_SUBTREE);
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) report.vanished++;
      else if (isWharfError(err, 'WHARF_ZK_NO_AUTH')) note(report, 'denied', path);
      else throw err;
      return [];
    }
  };
  await walk('/', visit, options.concurrency ?? DEFAULT_MIGRATION_CONCURRENCY);
  logger.info('acl migration done', { ...report, paths: undefined, dryRun: options.dryRun === true });
  return report;
}

async function migrateNode(
  zk: ZkSession,
  path: string,
  report: AclMigrationReport,
  options: AclMigrationOptions,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { acl, stat } = await zk.getAcl(path);
    if (attempt === 1) report.visited++;
    const decision = decideAcl(path, acl);
    if (decision.action === 'keep') {
      report.alreadySecure++;
      return;
    }
    try {
      if (options.dryRun !== true) await zk.setAcl(path, decision.acl, stat.aversion);
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_BAD_VERSION') && attempt < SET_ACL_ATTEMPTS) continue;
      throw err;
    }
    report.secured++;
    if (decision.writerUnknown) note(report, 'ownerUnknown', path);
    options.onSecured?.(path);
    return;
  }
}

function note(report: AclMigrationReport, kind: 'ownerUnknown' | 'denied', path: string): void {
  report[kind]++;
  if (report.paths[kind].length < MAX_REPORTED_PATHS) report.paths[kind].push(path);
}

/** Breadth-first over the tree with at most `concurrency` visits in flight; the first error stops it. */
function walk(root: string, visit: (path: string) => Promise<string[]>, concurrency: number): Promise<void> {
  const queue = [root];
  let active = 0;
  let failed = false;
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      while (!failed && active < concurrency && queue.length > 0) {
        const path = queue.shift()!;
        active++;
        visit(path).then(
          (children) => {
            active--;
            queue.push(...children);
            pump();
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
      if (!failed && active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
}
