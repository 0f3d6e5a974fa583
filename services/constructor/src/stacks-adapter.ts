/**
 * Adapts `@wharf/stacks` packs to the constructor's narrow {@link ConstructorStack} view: the route
 * port, and — for clustered stacks only — the membership hooks. A pack whose members do not form
 * a cluster (http) gets no hooks, so it is grown and released all at once.
 */
import { WharfError, type StackKind } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import {
  getStackPack,
  initialRootPassword,
  isStackKind,
  platformStackCredentials,
  storeVerifiedSnapshot,
  type HookOptions,
  type StackPack,
} from '@wharf/stacks';
import {
  type ConstructorStack,
  type RestoreContext,
  type SecureContext,
  type StackResolver,
} from './stack-port';

/**
 * Time budget of one hook call (the pack retries inside it). The attempt retries failed calls
 * until its own deadline, so this only bounds how long one call can delay noticing a lost
 * leadership or a timeout: long enough for etcd's ~5 s "unhealthy cluster" refusal window.
 */
export const HOOK_CALL_TIMEOUT_MS = 15_000;

/** Time budget of an in-place restore (all the snapshot's keys, in transactions): the plan timeout bounds it too. */
export const RESTORE_TIMEOUT_MS = 5 * 60_000;

/**
 * The constructor's view of one pack. With the platform `secret`, every hook authenticates as the
 * platform's stack user of its deployment (once the stack has authentication on), and new
 * clusters get authentication turned on.
 */
export function adaptStackPack(pack: StackPack, logger: Logger, secret?: string): ConstructorStack {
  const hookLogger = logger.child({ stack: pack.kind });
  const options = (deploymentId: string): HookOptions => ({
    timeoutMs: HOOK_CALL_TIMEOUT_MS,
    logger: hookLogger,
    ...(secret === undefined ? {} : { credentials: platformStackCredentials(secret, deploymentId) }),
  });
  if (!pack.clustered) return { routePort: pack.routePort };
  return {
    routePort: pack.routePort,
    beforeJoin: (ctx) => pack.beforeJoin(ctx.members, ctx.joining, options(ctx.deploymentId)),
    migrateData: (ctx) => pack.migrateData(ctx.members, ctx.joined, options(ctx.deploymentId)),
    leavePausesCluster: (ctx) => pack.leavePausesCluster(ctx.members, ctx.leaving, options(ctx.deploymentId)),
    beforeLeave: (ctx) => pack.beforeLeave(ctx.members, ctx.leaving, options(ctx.deploymentId)),
    ...(pack.snapshots
      ? {
          restoreSnapshot: (ctx) => restoreInPlace(pack, ctx, options(ctx.deploymentId)),
          takeSnapshot: (ctx) => storeVerifiedSnapshot(pack, ctx.repository, ctx, options(ctx.deploymentId)),
        }
      : {}),
    ...(secret !== undefined && pack.enableAuth
      ? { enableAuth: (ctx: SecureContext) => enableAuth(pack, ctx, secret, options(ctx.deploymentId)) }
      : {}),
  };
}

/** Turns a new cluster's authentication on, with the root password the create response gave. */
async function enableAuth(
  pack: StackPack,
  ctx: SecureContext,
  secret: string,
  options: HookOptions,
): Promise<boolean> {
  if (ctx.settings.authentication === false || !pack.enableAuth) return false;
  const root = initialRootPassword(secret, ctx.deploymentId, ctx.refId, ctx.planId);
  await pack.enableAuth(ctx.members, root, {
    ...options,
    credentials: platformStackCredentials(secret, ctx.deploymentId),
  });
  return true;
}

/** Verifies the snapshot against its recorded SHA-256, then restores it over the cluster's data. */
async function restoreInPlace(
  pack: StackPack,
  ctx: RestoreContext,
  options: HookOptions,
): Promise<{ keys: number }> {
  const verified = await pack.verifySnapshot(ctx.file);
  if (verified.sha256 !== ctx.sha256) {
    throw new WharfError('WHARF_SNAPSHOT_CORRUPT', 'snapshot file does not match its recorded SHA-256', {
      details: [{ path: 'snapshot', message: 'file changed since it was recorded' }],
    });
  }
  return pack.restore(ctx.file, ctx.members, { ...options, replace: true, timeoutMs: RESTORE_TIMEOUT_MS });
}

/** Resolves every stack kind `@wharf/stacks` knows (adapters built once per kind). */
export function resolveStacks(logger: Logger, secret?: string): StackResolver {
  const adapted = new Map<StackKind, ConstructorStack>();
  return (kind) => {
    if (!isStackKind(kind)) return undefined;
    let stack = adapted.get(kind);
    if (!stack) {
      stack = adaptStackPack(getStackPack(kind), logger, secret);
      adapted.set(kind, stack);
    }
    return stack;
  };
}
