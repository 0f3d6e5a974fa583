/**
 * Leadership hand-off before a member leaves. Removing the leader makes the others wait a whole
 * election timeout (1 s by default, randomised up to 2 s) before one campaigns, and the cluster
 * takes no write meanwhile. Moving leadership first (etcd's `MoveLeader`: the leader catches the
 * target up and tells it to campaign at once) keeps the gap to a round trip or two, and the
 * removal that follows is of a follower, which needs no election at all.
 */
import { isWharfError } from '@wharf/model';
import { compileHookOptions, type CompiledHookOptions } from '../hook-options';
import { RetryableError, retryUntil } from '../retry';
import { type HookOptions, type MemberEndpoint } from '../types';
import {
  ETCD_REQUEST_TIMEOUT_MS,
  etcdErrorOf,
  etcdMemberList,
  etcdMoveLeader,
  etcdStatus,
  type EtcdAuth,
  type EtcdMember,
} from './api';
import { peerUrlOf } from './config';

/** The member's id in `current` (matched by peer URL, else by name). */
function idOf(current: readonly EtcdMember[], member: MemberEndpoint): string | undefined {
  const peerUrl = peerUrlOf(member);
  return current.find((m) => m.peerURLs.includes(peerUrl) || (m.name !== '' && m.name === member.name))?.id;
}

/**
 * Longest the hand-off may take before the leave goes ahead without it (removing a leader still
 * works, only with an election gap): a hand-off takes milliseconds when the leader is reachable.
 */
export const HANDOFF_BUDGET_MS = 10_000;

/** The leader id as the first of `candidates` that answers sees it. */
async function leaderSeenBy(candidates: readonly MemberEndpoint[], timeoutMs: number): Promise<string> {
  const reasons: string[] = [];
  for (const via of candidates) {
    try {
      const status = await etcdStatus(via, { timeoutMs });
      if (status.leaderId !== '0') return status.leaderId;
      reasons.push(`${via.name}: no leader`);
    } catch (err) {
      reasons.push(`${via.name}: ${etcdErrorOf(err) ?? (err as Error).message}`);
    }
  }
  throw new RetryableError(`no member knows a leader (${reasons.join('; ')})`);
}

/**
 * When `leaving` leads the cluster, moves leadership to a started member among `current` and waits
 * until the remaining members (`candidates`) report another leader. A no-op when `leaving` does not
 * lead or is no longer a member. A transfer refused during an election ("not leader", "leader
 * changed") is tried again against the new state; past {@link HANDOFF_BUDGET_MS} the leave goes
 * ahead without it (a dead leader cannot hand anything off, and the others elect one anyway).
 */
export async function handOffLeadership(
  hook: CompiledHookOptions & { auth?: EtcdAuth | undefined },
  candidates: readonly MemberEndpoint[],
  current: readonly EtcdMember[],
  leaving: MemberEndpoint,
): Promise<void> {
  const leavingId = idOf(current, leaving);
  if (leavingId === undefined) return;
  // A member that has not started (empty name) cannot lead: it has no log to campaign with.
  const successor = current.find((m) => m.id !== leavingId && m.name !== '');
  if (successor === undefined) return;
  const deadline = Math.min(hook.deadline, hook.clock.now() + HANDOFF_BUDGET_MS);
  try {
    await retryUntil({ ...hook, deadline, what: 'etcd leadership hand-off' }, async (remainingMs) => {
      const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
      if ((await leaderSeenBy(candidates, timeoutMs)) !== leavingId) return;
      const auth = hook.auth ? { auth: hook.auth } : {};
      await etcdMoveLeader(leaving, successor.id, { timeoutMs, ...auth }).catch((err: unknown) => {
        throw new RetryableError(etcdErrorOf(err) ?? (err as Error).message);
      });
      hook.logger.info('etcd leadership moved', { member: leaving.name, to: successor.name });
      // Confirmed on the next pass: the others must report another leader before the removal.
      throw new RetryableError('leadership moved; confirming');
    });
  } catch (err) {
    if (!isWharfError(err, 'WHARF_TIMEOUT')) throw err;
    hook.logger.warn('etcd leadership hand-off did not complete; removing the leader', {
      member: leaving.name,
      reason: (err.details as { last?: string } | undefined)?.last,
    });
  }
}

/**
 * True when removing `leaving` from the cluster of `members` moves leadership (it leads now):
 * during the hand-off etcd drops proposals forwarded to the old leader (those clients wait out a
 * request timeout) and fails reads waiting on it ("leader changed"), so the caller should stop
 * sending requests around the leave. False when it does not lead, is not a member, or is alone.
 */
export async function etcdLeaveMovesLeader(
  members: readonly MemberEndpoint[],
  leaving: MemberEndpoint,
  options?: HookOptions,
): Promise<boolean> {
  const hook = compileHookOptions(options);
  const candidates = members.filter((m) => m.name !== leaving.name);
  if (candidates.length === 0) return false;
  return retryUntil({ ...hook, what: 'etcd leader lookup' }, async (remainingMs) => {
    const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
    const leaderId = await leaderSeenBy(candidates, timeoutMs);
    let current: EtcdMember[] | undefined;
    for (const via of candidates) {
      current = await etcdMemberList(via, { timeoutMs }).catch(() => undefined);
      if (current) break;
    }
    if (!current) throw new RetryableError('no member answered member list');
    return idOf(current, leaving) === leaderId;
  });
}
