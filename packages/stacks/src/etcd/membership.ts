/**
 * etcd membership changes, one member at a time, through its cluster API. A join is `member add`
 * before the new member starts; a leave is `member remove` before it stops. Both are idempotent
 * (a constructor resuming an attempt may repeat them) and retry while etcd refuses for a
 * transient reason: "unhealthy cluster" until members have been connected ~5 s, and while an
 * added member has not started yet (strict reconfiguration check).
 */
import { isWharfError, WharfError } from '@wharf/model';
import { compileHookOptions, type CompiledHookOptions } from '../hook-options';
import { RetryableError, retryUntil } from '../retry';
import { type HookOptions, type MemberEndpoint } from '../types';
import {
  ETCD_REQUEST_TIMEOUT_MS,
  etcdErrorOf,
  etcdHealth,
  etcdMemberAdd,
  etcdMemberList,
  etcdMemberRemove,
  type EtcdAuth,
  type EtcdMember,
} from './api';
import { etcdAuthOf } from './auth-session';
import { peerUrlOf } from './config';
import { handOffLeadership } from './leadership';

/** gRPC codes that no retry can fix (invalid argument, not found, already exists, denied, precondition, unauthenticated). */
const PERMANENT_GRPC_CODES = new Set([3, 5, 6, 7, 9, 16]);

/** True when etcd (or the network) may well accept the same request a little later. */
export function isTransient(err: unknown): boolean {
  if (isWharfError(err, 'WHARF_TIMEOUT')) return true;
  if (!isWharfError(err, 'WHARF_STACK_ERROR')) return false;
  const code = (err.details as { grpcCode?: unknown } | undefined)?.grpcCode;
  return !(typeof code === 'number' && PERMANENT_GRPC_CODES.has(code));
}

function retryable(err: unknown): never {
  if (isTransient(err)) throw new RetryableError(etcdErrorOf(err) ?? (err as Error).message);
  throw err;
}

/** The member list from the first of `candidates` that answers, and which one answered. */
async function listFromAny(
  candidates: readonly MemberEndpoint[],
  remainingMs: number,
): Promise<{ via: MemberEndpoint; members: EtcdMember[] }> {
  const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
  const reasons: string[] = [];
  for (const via of candidates) {
    try {
      return { via, members: await etcdMemberList(via, { timeoutMs }) };
    } catch (err) {
      if (!isTransient(err)) throw err;
      reasons.push(`${via.name}: ${etcdErrorOf(err) ?? (err as Error).message}`);
    }
  }
  throw new RetryableError(`no member answered (${reasons.join('; ')})`);
}

function others(members: readonly MemberEndpoint[], member: MemberEndpoint): MemberEndpoint[] {
  return members.filter((m) => m.name !== member.name);
}

/** Adds `member` to the running cluster of `members` unless it is already in it. */
export async function etcdBeforeJoin(
  members: readonly MemberEndpoint[],
  member: MemberEndpoint,
  options?: HookOptions,
): Promise<void> {
  const hook = compileHookOptions(options);
  const peerUrl = peerUrlOf(member);
  const candidates = others(members, member);
  if (candidates.length === 0) {
    throw new WharfError('WHARF_STACK_ERROR', 'no running member to join through', {
      details: { member: member.name },
    });
  }
  const auth = etcdAuthOf(options);
  await retryUntil({ ...hook, what: 'etcd member add' }, async (remainingMs) => {
    const { via, members: current } = await listFromAny(candidates, remainingMs);
    const existing = current.find((m) => m.peerURLs.includes(peerUrl));
    if (existing) {
      if (existing.name !== '' && existing.name !== member.name) throw conflictError(member, existing);
      hook.logger.info('etcd member already added', { member: member.name, id: existing.id });
      return;
    }
    const sameName = current.find((m) => m.name === member.name);
    if (sameName) throw conflictError(member, sameName);
    const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
    const added = await etcdMemberAdd(via, peerUrl, { timeoutMs, auth }).catch((err: unknown) => {
      if (/peer ?urls? already exists/i.test(etcdErrorOf(err) ?? '')) return null;
      return retryable(err);
    });
    hook.logger.info('etcd member added', { member: member.name, id: added?.id, via: via.name, peerUrl });
  });
}

function conflictError(member: MemberEndpoint, found: EtcdMember): WharfError {
  return new WharfError('WHARF_STACK_ERROR', 'another etcd member holds this name or peer URL', {
    details: { member: member.name, found: { id: found.id, name: found.name, peerURLs: found.peerURLs } },
  });
}

/**
 * Removes `member` from the cluster of `members`; no-op when it is not (or no longer) a member.
 * A leader hands leadership to another member first (`leadership.ts`), so the cluster never waits
 * out an election timeout.
 */
export async function etcdBeforeLeave(
  members: readonly MemberEndpoint[],
  member: MemberEndpoint,
  options?: HookOptions,
): Promise<void> {
  const hook = compileHookOptions(options);
  const candidates = others(members, member);
  if (candidates.length === 0) {
    // The last member cannot be removed from its own cluster: it goes away with the cluster.
    hook.logger.info('last etcd member leaves with its cluster', { member: member.name });
    return;
  }
  const { members: current } = await retryUntil({ ...hook, what: 'etcd member list' }, (remainingMs) =>
    listFromAny(candidates, remainingMs),
  );
  await handOffLeadership({ ...hook, auth: etcdAuthOf(options) }, candidates, current, member);
  await removeMember({ ...hook, auth: etcdAuthOf(options) }, candidates, member);
  await waitForLeader(hook, candidates);
}

/**
 * Removing the leader triggers an election; until it ends, requests fail with "leader changed".
 * The leave is complete once a remaining member reports itself healthy (it has a leader).
 */
async function waitForLeader(
  hook: CompiledHookOptions,
  candidates: readonly MemberEndpoint[],
): Promise<void> {
  await retryUntil({ ...hook, what: 'etcd leader after member remove' }, async (remainingMs) => {
    const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
    const details: string[] = [];
    for (const m of candidates) {
      const result = await etcdHealth(m, { timeoutMs });
      if (result.healthy) return;
      details.push(`${m.name}: ${result.detail}`);
    }
    throw new RetryableError(`no healthy member (${details.join('; ')})`);
  });
}

async function removeMember(
  hook: CompiledHookOptions & { auth?: EtcdAuth | undefined },
  candidates: MemberEndpoint[],
  member: MemberEndpoint,
): Promise<void> {
  const peerUrl = peerUrlOf(member);
  await retryUntil({ ...hook, what: 'etcd member remove' }, async (remainingMs) => {
    const { via, members: current } = await listFromAny(candidates, remainingMs);
    const found = current.find(
      (m) => m.peerURLs.includes(peerUrl) || (m.name !== '' && m.name === member.name),
    );
    if (!found) {
      hook.logger.info('etcd member already removed', { member: member.name });
      return;
    }
    const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
    await etcdMemberRemove(via, found.id, { timeoutMs, ...(hook.auth ? { auth: hook.auth } : {}) }).catch(
      (err: unknown) => {
        if (/member not found/i.test(etcdErrorOf(err) ?? '')) return;
        retryable(err);
      },
    );
    hook.logger.info('etcd member removed', { member: member.name, id: found.id, via: via.name });
  });
}
