/** Health probing of live instances through their stack packs, folded into the records. */
import { type InstanceSpec } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type CompiledAllocatorOptions } from './options';
import { type InstanceRecord, applyProbe, isLive } from './instance-record';
import { type AllocatorMetrics } from './metrics';
import { type StackCatalog } from './stack-port';

/** What a probe round needs. */
export interface ProbeContext {
  config: CompiledAllocatorOptions;
  stacks: StackCatalog;
  records: Map<string, InstanceRecord>;
  /** The spec of an instance (stack kind, settings); undefined = do not probe. */
  specOf: (instanceId: string) => InstanceSpec | undefined;
  metrics: AllocatorMetrics;
  now: () => number;
  /** Told when a starting instance passes its first probe (optional). */
  logger?: Pick<Logger, 'info'>;
}

/**
 * Probes every live instance once, in parallel, and folds the results. Returns true when a
 * record changed in a way its status shows (phase or health), so a report is due.
 */
export async function probeAll(
  ctx: ProbeContext,
  only: (record: InstanceRecord) => boolean = () => true,
): Promise<boolean> {
  const live = [...ctx.records.values()].filter((r) => isLive(r) && r.containerId !== undefined && only(r));
  const results = await Promise.all(live.map((record) => probeOne(ctx, record)));
  return results.some(Boolean);
}

async function probeOne(ctx: ProbeContext, record: InstanceRecord): Promise<boolean> {
  const spec = ctx.specOf(record.instanceId);
  if (spec === undefined) return false;
  const kind = spec.stack;
  const started = ctx.now();
  const endpoint = { name: record.instanceId, host: ctx.config.host, ports: record.ports };
  const result = await ctx
    .stacks(kind)
    .probe(endpoint, { timeoutMs: ctx.config.probeTimeoutMs, settings: { ...(spec.settings ?? {}) } })
    .catch((err: unknown) => ({ healthy: false, detail: err instanceof Error ? err.message : String(err) }));
  const ok = result.healthy;
  ctx.metrics.probeDuration.observe(
    { stack: kind, result: ok ? 'pass' : 'fail' },
    (ctx.now() - started) / 1000,
  );
  // The record may have moved on while the probe ran (crash, restart): fold only into the same run.
  const current = ctx.records.get(record.instanceId);
  if (!current || current.containerId !== record.containerId) return false;
  const next = applyProbe(current, ok, ctx.config.unhealthyAfterFailures, ctx.now(), result.detail);
  ctx.records.set(record.instanceId, next);
  if (current.phase === 'starting' && next.phase === 'running') {
    ctx.logger?.info('instance healthy', {
      instance: record.instanceId,
      deployment: spec.deployment_id,
      container: record.containerId,
    });
  }
  return next.phase !== current.phase || next.healthy !== current.healthy;
}
