/**
 * etcd's `migrate-data`: a member that joined a running cluster receives the data by raft (a
 * snapshot from the leader, then log entries), so there is nothing to copy, only to wait for.
 * The hook samples the leader's raft index once, then waits until the joined member has applied
 * at least that index: from then on it holds every write acknowledged before the hook started,
 * and an old member may leave without the cluster depending on the others for that data.
 */
import { WharfError } from '@wharf/model';
import { compileHookOptions, type CompiledHookOptions } from '../hook-options';
import { RetryableError, retryUntil } from '../retry';
import { type HookOptions, type MemberEndpoint, type MigrationResult } from '../types';
import { ETCD_REQUEST_TIMEOUT_MS, etcdErrorOf, etcdStatus, type EtcdStatus } from './api';

/**
 * Pause between two looks at the joined member's index. A member catching up from a snapshot
 * applies thousands of entries per second, so 100 ms adds little to the wait and costs one small
 * request per look.
 */
export const CATCH_UP_POLL_MS = 100;

/** The leader's status as seen among `candidates` (the member that reports itself leader). */
async function leaderStatus(
  candidates: readonly MemberEndpoint[],
  remainingMs: number,
): Promise<EtcdStatus | undefined> {
  const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
  const reasons: string[] = [];
  for (const via of candidates) {
    try {
      const status = await etcdStatus(via, { timeoutMs });
      if (status.leaderId !== '0' && status.leaderId === status.memberId) return status;
      if (status.leaderId === '0') reasons.push(`${via.name}: no leader`);
    } catch (err) {
      reasons.push(`${via.name}: ${etcdErrorOf(err) ?? (err as Error).message}`);
    }
  }
  // Every candidate answered and follows someone else: the leader is not among them.
  if (reasons.length === 0) return undefined;
  throw new RetryableError(`leader status unavailable (${reasons.join('; ')})`);
}

/**
 * Waits until `member` has applied the leader's raft index as of the call. `members` are the
 * other (running) members. When the leader is none of them, `member` leads and is caught up.
 */
export async function etcdMigrateData(
  members: readonly MemberEndpoint[],
  member: MemberEndpoint,
  options?: HookOptions,
): Promise<MigrationResult> {
  const hook = compileHookOptions(options);
  const candidates = members.filter((m) => m.name !== member.name);
  const leader = await retryUntil({ ...hook, what: 'etcd leader status' }, (remainingMs) =>
    leaderStatus(candidates, remainingMs),
  );
  const targetIndex = leader?.raftIndex ?? 0;
  const reached = await waitForIndex(hook, member, targetIndex);
  hook.logger.info('etcd member caught up', {
    member: member.name,
    targetIndex,
    reachedIndex: reached.raftAppliedIndex,
    dbSize: reached.dbSize,
  });
  return { targetIndex, reachedIndex: reached.raftAppliedIndex, bytes: reached.dbSize };
}

/** Polls `member` every {@link CATCH_UP_POLL_MS} until its applied index reaches `targetIndex`. */
async function waitForIndex(
  hook: CompiledHookOptions,
  member: MemberEndpoint,
  targetIndex: number,
): Promise<EtcdStatus> {
  let last = 'no answer yet';
  for (;;) {
    const remainingMs = hook.deadline - hook.clock.now();
    if (remainingMs <= 0) {
      throw new WharfError('WHARF_TIMEOUT', 'etcd member did not catch up in time', {
        details: { what: 'etcd member catch-up', member: member.name, targetIndex, last },
      });
    }
    try {
      const status = await etcdStatus(member, { timeoutMs: Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS) });
      if (status.leaderId !== '0' && status.raftAppliedIndex >= targetIndex) return status;
      last = `applied ${status.raftAppliedIndex} of ${targetIndex}, leader ${status.leaderId}`;
    } catch (err) {
      last = etcdErrorOf(err) ?? (err as Error).message;
    }
    await hook.clock.sleep(Math.min(CATCH_UP_POLL_MS, Math.max(1, hook.deadline - hook.clock.now())));
  }
}
