/**
 * Adapts `@wharf/stacks` packs to the constructor's narrow {@link ConstructorStack} view: the route
 * port, and — for clustered stacks only — the membership hooks. A pack whose members do not form
 * a cluster (http) gets no hooks, so it is grown and released all at once.
 */
import { type StackKind } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { getStackPack, isStackKind, type StackPack } from '@wharf/stacks';
import { type ConstructorStack, type StackResolver } from './stack-port';

/**
 * Time budget of one hook call (the pack retries inside it). The attempt retries failed calls
 * until its own deadline, so this only bounds how long one call can delay noticing a lost
 * leadership or a timeout: long enough for etcd's ~5 s "unhealthy cluster" refusal window.
 */
export const HOOK_CALL_TIMEOUT_MS = 15_000;

/** The constructor's view of one pack. */
export function adaptStackPack(pack: StackPack, logger: Logger): ConstructorStack {
  const hookLogger = logger.child({ stack: pack.kind });
  const options = { timeoutMs: HOOK_CALL_TIMEOUT_MS, logger: hookLogger };
  if (!pack.clustered) return { routePort: pack.routePort };
  return {
    routePort: pack.routePort,
    beforeJoin: (ctx) => pack.beforeJoin(ctx.members, ctx.joining, options),
    migrateData: (ctx) => pack.migrateData(ctx.members, ctx.joined, options),
    leavePausesCluster: (ctx) => pack.leavePausesCluster(ctx.members, ctx.leaving, options),
    beforeLeave: (ctx) => pack.beforeLeave(ctx.members, ctx.leaving, options),
  };
}

/** Resolves every stack kind `@wharf/stacks` knows (adapters built once per kind). */
export function resolveStacks(logger: Logger): StackResolver {
  const adapted = new Map<StackKind, ConstructorStack>();
  return (kind) => {
    if (!isStackKind(kind)) return undefined;
    let stack = adapted.get(kind);
    if (!stack) {
      stack = adaptStackPack(getStackPack(kind), logger);
      adapted.set(kind, stack);
    }
    return stack;
  };
}
