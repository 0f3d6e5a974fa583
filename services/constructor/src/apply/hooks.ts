/**
 * Stack membership hooks (etcd member add/remove) with retries: a stack's own API refuses
 * reconfiguration for a while after a change (etcd: until every member has been connected for
 * ~5 s), so a failed call is retried with a doubling pause until it succeeds, the attempt stops,
 * or `deadlineMs` passes.
 */
import { FAILURE_TYPES, type MemberEndpoint } from '@wharf/model';
import { type ResourceChanges } from '../core/changes';
import { attemptFailure, failureMessageOf } from '../core/failure';
import { type AttemptContext } from './attempt-context';
import { interrupted } from './interrupt';
import { type ConstructorStack } from '../stack-port';

/** Hook names, as in metrics and logs. */
export type HookName = 'beforeJoin' | 'migrateData' | 'beforeLeave' | 'restoreSnapshot' | 'enableAuth';

/** Every how many failures a retry is written to the step log (each failure is logged at warn). */
const LOG_EVERY_FAILURES = 5;

/**
 * Runs `call` until it succeeds. Past `deadlineMs` it throws a `ClusterFailure:ClusterJoinFailed`
 * failure, or returns false with `giveUp` (rollback must go on without the hook).
 */
export async function runHook(
  ctx: AttemptContext,
  hook: HookName,
  call: () => Promise<void>,
  deadlineMs?: number,
  giveUp = false,
): Promise<boolean> {
  const { timing, metrics, clock } = ctx.deps;
  let delay = timing.hookRetryBaseMs;
  for (let failures = 0; ;) {
    await ctx.checkpoint();
    await ctx.flush(); // a hook may take a while: the activity log shows where the attempt is
    try {
      await call();
      return true;
    } catch (err) {
      if (ctx.signal.aborted) throw interrupted('leadership lost during a stack hook', err);
      failures++;
      metrics.hookRetries.inc({ hook });
      ctx.logger.warn('stack hook failed', { hook, failures, err });
      if (failures % LOG_EVERY_FAILURES === 1)
        await ctx.log('stack hook failed; retrying', { hook, error: failureMessageOf(err) });
      if (deadlineMs !== undefined && ctx.now() + delay >= deadlineMs) {
        if (giveUp) return false;
        throw attemptFailure(
          'WHARF_STACK_ERROR',
          FAILURE_TYPES.clusterJoinFailed,
          `stack hook ${hook} kept failing: ${failureMessageOf(err)}`,
          { hook },
          err,
        );
      }
      await clock.sleep(delay, ctx.signal);
      delay = Math.min(delay * 2, timing.hookRetryMaxMs);
    }
  }
}

/** A member leaving `r`'s cluster, told to the stack with the members that remain. */
export interface Leave {
  r: ResourceChanges;
  members: MemberEndpoint[];
  leaving: MemberEndpoint;
}

/** Runs the stack's leave hook through {@link runHook} (same deadline and give-up rules). */
export async function runLeaveHook(
  ctx: AttemptContext,
  pack: ConstructorStack,
  leave: Leave,
  deadlineMs: number,
  giveUp = false,
): Promise<boolean> {
  const { r, members, leaving } = leave;
  return runHook(
    ctx,
    'beforeLeave',
    () =>
      pack.beforeLeave!({
        deploymentId: ctx.deploymentId,
        refId: r.ref_id,
        members,
        leaving,
        signal: ctx.signal,
      }),
    deadlineMs,
    giveUp,
  );
}
