/** Stopping every instance of this allocator on `shutdown({ stopInstances: true })`. */
import { isWharfError } from '@wharf/model';
import { type ApplierContext, reportStatuses } from './applier';

/**
 * Stops and removes every container of this allocator and reports the instances `stopped` (data
 * and port reservations are kept: the next allocator on this data dir starts them again).
 */
export async function teardownAll(ctx: ApplierContext): Promise<void> {
  await Promise.all(
    [...ctx.records.values()].map(async (record) => {
      if (!record.containerId) return;
      try {
        await ctx.runtime.stop(record.containerId, { timeoutMs: ctx.config.stopTimeoutMs });
        await ctx.runtime.remove(record.containerId, { force: true });
      } catch (err) {
        if (!isWharfError(err, 'WHARF_RUNTIME_NOT_FOUND')) {
          ctx.logger.error('instance stop failed', { instance: record.instanceId, err });
        }
      }
      const { containerId: _c, fingerprint: _f, healthySince: _h, ...rest } = record;
      ctx.records.set(record.instanceId, { ...rest, phase: 'stopped', healthy: false, failures: 0 });
      ctx.logger.info('instance stopped for shutdown', { instance: record.instanceId });
    }),
  );
  await reportStatuses(ctx);
}
