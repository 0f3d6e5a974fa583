/**
 * etcd client authentication (etcd 3.4, verified against the real server): `root` for the
 * deployment's owner and `wharf-platform` for the platform's hooks, both granted the `root` role
 * (etcd's only superuser role: `member add/remove`, `move-leader`, snapshots and auth changes
 * need it). Turning auth on is a sequence of idempotent calls, so a constructor that crashed
 * half-way runs it again from the start: "already exists" answers are accepted, passwords are
 * (re)set, and `auth enable` is harmless when auth is on.
 */
import { WharfError } from '@wharf/model';
import { PLATFORM_STACK_USER, STACK_ROOT_USER, type StackCredentials } from '../credentials';
import { compileHookOptions, type CompiledHookOptions } from '../hook-options';
import { RetryableError, retryUntil } from '../retry';
import { type HookOptions, type MemberEndpoint } from '../types';
import { ETCD_REQUEST_TIMEOUT_MS, etcdCall, etcdErrorOf } from './api';
import { EtcdAuthSession } from './auth-session';
import { clientUrlOf } from './config';
import { isTransient } from './membership';

/** etcd's superuser role; a user with it passes every permission check. */
const ROOT_ROLE = 'root';
const ALREADY_EXISTS = /already exists/;

type AuthHookOptions = HookOptions & { credentials: StackCredentials };

/** Turns authentication on (see the file comment); once on, nothing changes. */
export async function etcdEnableAuth(
  members: readonly MemberEndpoint[],
  rootPassword: string,
  options: AuthHookOptions,
): Promise<void> {
  await onAnyMember(members, options, 'etcd enable auth', async (call, session, base) => {
    if ((await session.authenticate(base, ETCD_REQUEST_TIMEOUT_MS)) !== null) return 'already on';
    await turnOn(call, rootPassword, options.credentials);
    return 'turned on';
  });
}

/** Sets root's password; a cluster with authentication off gets it turned on with that password. */
export async function etcdSetRootPassword(
  members: readonly MemberEndpoint[],
  rootPassword: string,
  options: AuthHookOptions,
): Promise<void> {
  await onAnyMember(members, options, 'etcd set root password', async (call, session, base) => {
    if ((await session.authenticate(base, ETCD_REQUEST_TIMEOUT_MS)) === null) {
      await turnOn(call, rootPassword, options.credentials);
      return 'turned on';
    }
    await call('/v3/auth/user/changepw', { name: STACK_ROOT_USER, password: rootPassword });
    return 'password set';
  });
}

type Call = (path: string, body: unknown) => Promise<void>;

/** Users, role, grants, then `auth enable` (after which every other call needs a token). */
async function turnOn(call: Call, rootPassword: string, platform: StackCredentials): Promise<void> {
  if (platform.username !== PLATFORM_STACK_USER) {
    throw new WharfError('WHARF_STACK_ERROR', 'unexpected platform user name', {
      details: { user: platform.username },
    });
  }
  await ignoringExists(call('/v3/auth/role/add', { name: ROOT_ROLE }));
  for (const user of [
    { name: STACK_ROOT_USER, password: rootPassword },
    { name: platform.username, password: platform.password },
  ]) {
    // A user left by an interrupted run may hold another password: set it again (each password
    // costs etcd a bcrypt hash and a raft write, so only then).
    if (!(await ignoringExists(call('/v3/auth/user/add', user)))) await call('/v3/auth/user/changepw', user);
    await call('/v3/auth/user/grant', { user: user.name, role: ROOT_ROLE });
  }
  await call('/v3/auth/enable', {});
}

/** True when `call` succeeded, false when etcd said the thing already exists. */
async function ignoringExists(call: Promise<void>): Promise<boolean> {
  return call.then(
    () => true,
    (err: unknown) => {
      if (!ALREADY_EXISTS.test(etcdErrorOf(err) ?? '')) throw err;
      return false;
    },
  );
}

/** Runs `work` against the first member that answers, retrying transient failures until the deadline. */
async function onAnyMember(
  members: readonly MemberEndpoint[],
  options: AuthHookOptions,
  what: string,
  work: (call: Call, session: EtcdAuthSession, base: string) => Promise<string>,
): Promise<void> {
  const hook: CompiledHookOptions = compileHookOptions(options);
  if (members.length === 0) {
    throw new WharfError('WHARF_STACK_ERROR', 'no running member to configure', { details: { what } });
  }
  let next = 0;
  await retryUntil({ ...hook, what }, async (remainingMs) => {
    const member = members[next++ % members.length]!;
    const auth = new EtcdAuthSession(options.credentials);
    const timeoutMs = Math.min(remainingMs, ETCD_REQUEST_TIMEOUT_MS);
    const call: Call = async (path, body) => void (await etcdCall(member, path, body, { timeoutMs, auth }));
    try {
      const outcome = await work(call, auth, clientUrlOf(member));
      hook.logger.info('etcd authentication configured', { what, member: member.name, outcome });
    } catch (err) {
      if (isTransient(err)) throw new RetryableError(etcdErrorOf(err) ?? (err as Error).message);
      throw err;
    }
  });
}
