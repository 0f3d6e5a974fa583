/**
 * A small client for etcd's v3 HTTP/JSON gateway (keys and values are base64, 64-bit ids are
 * decimal strings). Failures are `WharfError`s; etcd's own error text is in `details.etcdError`.
 */
import { isWharfError, WharfError } from '@wharf/model';
import { httpRequest } from '../http-client';
import { type MemberEndpoint, type ProbeResult } from '../types';
import { clientUrlOf } from './config';

/** Default timeout of one etcd call: etcd's server-side request timeout is 5 s plus two election timeouts. */
export const ETCD_REQUEST_TIMEOUT_MS = 8_000;

/** Where to send a request: a member, or a base URL such as `http://127.0.0.1:2379`. */
export type EtcdTarget = string | MemberEndpoint;

/** Options of an etcd call. */
export interface EtcdCallOptions {
  timeoutMs?: number;
  /** Authenticates the call when the cluster has authentication on (`auth-session.ts`). */
  auth?: EtcdAuth;
}

/** Hands out etcd auth tokens per member (see `EtcdAuthSession`). */
export interface EtcdAuth {
  /** The token to send to `base`, or undefined when the cluster has authentication off. */
  tokenFor(base: string, timeoutMs: number): Promise<string | undefined>;
  /** Drops the token of `base` (expired, or authentication was turned on since). */
  forget(base: string): void;
}

/** etcd's refusals that a fresh token may fix (or that mean authentication was turned on since). */
const AUTH_REFUSAL = /invalid auth token|auth token is expired|user name is empty/;

/** A member as `member/list` reports it (`name` is empty until the member has started). */
export interface EtcdMember {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

function urlOfTarget(target: EtcdTarget): string {
  return typeof target === 'string' ? target.replace(/\/+$/, '') : clientUrlOf(target);
}

/** etcd's error text carried by `err`, if it is an etcd API error. */
export function etcdErrorOf(err: unknown): string | undefined {
  if (!isWharfError(err, 'WHARF_STACK_ERROR')) return undefined;
  const details = err.details as { etcdError?: unknown } | undefined;
  return typeof details?.etcdError === 'string' ? details.etcdError : undefined;
}

/** POSTs `body` to `path` of `target` and returns the parsed JSON answer. */
export async function etcdCall(
  target: EtcdTarget,
  path: string,
  body: unknown,
  options: EtcdCallOptions = {},
): Promise<Record<string, unknown>> {
  const base = urlOfTarget(target);
  const timeoutMs = options.timeoutMs ?? ETCD_REQUEST_TIMEOUT_MS;
  const auth = options.auth;
  if (!auth) return etcdRawCall(base, path, body, timeoutMs);
  try {
    return await etcdRawCall(base, path, body, timeoutMs, await auth.tokenFor(base, timeoutMs));
  } catch (err) {
    if (!AUTH_REFUSAL.test(etcdErrorOf(err) ?? '')) throw err;
    // A member restarted (simple tokens live in memory) or auth was turned on: one fresh token.
    auth.forget(base);
    return etcdRawCall(base, path, body, timeoutMs, await auth.tokenFor(base, timeoutMs));
  }
}

/** One POST to `base` + `path`, with `token` as etcd's `Authorization` header when given. */
export async function etcdRawCall(
  base: string,
  path: string,
  body: unknown,
  timeoutMs: number,
  token?: string,
): Promise<Record<string, unknown>> {
  const url = `${base}${path}`;
  const res = await httpRequest(url, {
    method: 'POST',
    json: body,
    timeoutMs,
    ...(token === undefined ? {} : { headers: { authorization: token } }),
  });
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (res.status < 200 || res.status >= 300 || parsed === undefined) {
    const etcdError = typeof parsed?.error === 'string' ? parsed.error : res.body.slice(0, 200);
    throw new WharfError('WHARF_STACK_ERROR', `etcd request failed: ${etcdError}`, {
      details: { url, status: res.status, etcdError, grpcCode: parsed?.code },
    });
  }
  return parsed;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

/** Writes `key` = `value` (UTF-8 strings). */
export async function etcdPut(
  target: EtcdTarget,
  key: string,
  value: string,
  options?: EtcdCallOptions,
): Promise<void> {
  await etcdCall(target, '/v3/kv/put', { key: b64(key), value: b64(value) }, options);
}

/** Reads `key` (linearizable), or null when it does not exist. */
export async function etcdGet(
  target: EtcdTarget,
  key: string,
  options?: EtcdCallOptions,
): Promise<string | null> {
  const answer = await etcdCall(target, '/v3/kv/range', { key: b64(key) }, options);
  const kvs = answer.kvs as Array<{ value?: string }> | undefined;
  const first = kvs?.[0];
  return first === undefined ? null : unb64(first.value ?? '');
}

function toMember(raw: Record<string, unknown>): EtcdMember {
  return {
    id: String(raw.ID ?? ''),
    name: typeof raw.name === 'string' ? raw.name : '',
    peerURLs: Array.isArray(raw.peerURLs) ? raw.peerURLs.map(String) : [],
    clientURLs: Array.isArray(raw.clientURLs) ? raw.clientURLs.map(String) : [],
  };
}

/** The cluster's members as `target` sees them. */
export async function etcdMemberList(target: EtcdTarget, options?: EtcdCallOptions): Promise<EtcdMember[]> {
  const answer = await etcdCall(target, '/v3/cluster/member/list', {}, options);
  return ((answer.members as Array<Record<string, unknown>> | undefined) ?? []).map(toMember);
}

/** Adds a (not yet started) voting member with `peerUrl`; returns it. */
export async function etcdMemberAdd(
  target: EtcdTarget,
  peerUrl: string,
  options?: EtcdCallOptions,
): Promise<EtcdMember> {
  const answer = await etcdCall(target, '/v3/cluster/member/add', { peerURLs: [peerUrl] }, options);
  return toMember((answer.member as Record<string, unknown> | undefined) ?? {});
}

/** Removes the member with decimal id `id`. */
export async function etcdMemberRemove(
  target: EtcdTarget,
  id: string,
  options?: EtcdCallOptions,
): Promise<void> {
  if (!/^[0-9]{1,20}$/.test(id))
    throw new WharfError('WHARF_STACK_ERROR', 'etcd member id must be decimal', { details: { id } });
  await etcdCall(target, '/v3/cluster/member/remove', { ID: id }, options);
}

/**
 * Asks the leader `target` to hand leadership to the member with decimal id `targetId` (etcd's
 * `MoveLeader`, `etcdctl move-leader`). Only the leader accepts it ("not leader" otherwise).
 */
export async function etcdMoveLeader(
  target: EtcdTarget,
  targetId: string,
  options?: EtcdCallOptions,
): Promise<void> {
  if (!/^[0-9]{1,20}$/.test(targetId))
    throw new WharfError('WHARF_STACK_ERROR', 'etcd member id must be decimal', { details: { targetId } });
  await etcdCall(target, '/v3/maintenance/transfer-leadership', { targetID: targetId }, options);
}

/** What `maintenance/status` reports about the member answering it. */
export interface EtcdStatus {
  memberId: string;
  /** Id of the leader this member follows ('0' when it knows none). */
  leaderId: string;
  raftTerm: string;
  /** Last raft log index the member knows (committed or not). */
  raftIndex: number;
  /** Last raft index the member has applied to its store (etcd ≥ 3.4; else `raftIndex`). */
  raftAppliedIndex: number;
  dbSize: number;
}

/** The answering member's status (its id, its leader, backend size). */
export async function etcdStatus(target: EtcdTarget, options?: EtcdCallOptions): Promise<EtcdStatus> {
  const answer = await etcdCall(target, '/v3/maintenance/status', {}, options);
  const header = (answer.header as Record<string, unknown> | undefined) ?? {};
  // 64-bit counters arrive as decimal strings; a raft index stays far below 2^53.
  const raftIndex = Number(answer.raftIndex ?? 0);
  return {
    memberId: String(header.member_id ?? ''),
    leaderId: String(answer.leader ?? '0'),
    raftTerm: String(answer.raftTerm ?? header.raft_term ?? ''),
    raftIndex,
    raftAppliedIndex: answer.raftAppliedIndex === undefined ? raftIndex : Number(answer.raftAppliedIndex),
    dbSize: Number(answer.dbSize ?? 0),
  };
}

/** `GET /health`: healthy when etcd answers `{"health":"true"}` (it has a leader and serves). */
export async function etcdHealth(target: EtcdTarget, options?: EtcdCallOptions): Promise<ProbeResult> {
  try {
    const res = await httpRequest(`${urlOfTarget(target)}/health`, {
      timeoutMs: options?.timeoutMs ?? ETCD_REQUEST_TIMEOUT_MS,
    });
    let health: unknown;
    try {
      health = (JSON.parse(res.body) as { health?: unknown }).health;
    } catch {
      health = undefined;
    }
    const healthy = res.status === 200 && health === 'true';
    return { healthy, detail: healthy ? 'health true' : `status ${res.status} health ${String(health)}` };
  } catch (err) {
    const details = isWharfError(err) ? (err.details as { code?: string } | undefined) : undefined;
    return { healthy: false, detail: details?.code ?? (err as Error).message };
  }
}
