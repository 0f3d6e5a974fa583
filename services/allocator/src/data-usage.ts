/**
 * The size of each running instance's data directory, for storage metering: reported in its
 * status as `data_mb`. Measuring walks the directory (a recursive `lstat`), so it is bounded and
 * rate-limited rather than done per status write:
 * - an instance is measured at most once per {@link DataUsageOptions.intervalMs} (default 60 s,
 *   `DEFAULT_DATA_USAGE_INTERVAL_MS`);
 * - one walk at a time for the whole allocator, in the background — a status write never waits
 *   for it, it reports the last figure;
 * - a walk stops after {@link MAX_WALK_ENTRIES} entries and reports what it counted (a lower
 *   bound, logged once per instance), so a directory of millions of files costs a bounded amount;
 * - the figure is whole MiB, rounded up, so a status changes (one write) only when a MiB boundary
 *   is crossed, at most once per interval.
 * Apparent file sizes are summed (what the instance wrote), symbolic links are not followed.
 */
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger } from '@wharf/observability';

/** Entries one walk visits at most: ~100k `lstat`s take well under a second on a local disk. */
export const MAX_WALK_ENTRIES = 100_000;

const MIB = 1024 * 1024;

/** Options of a {@link DataUsageMeter}. */
export interface DataUsageOptions {
  logger: Logger;
  now: () => number;
  /** Time between two measurements of one instance (`dataUsageIntervalMs` in the options). */
  intervalMs: number;
  /** Entries one walk visits at most (tests lower it). */
  maxEntries?: number;
  /** Called when an instance's figure changed (the allocator then writes its status). */
  onChange: () => void;
}

/** What is measured: an instance and its data directory. */
export interface MeasuredDir {
  instanceId: string;
  dir: string;
}

/** Total apparent size of the files under `dir`, visiting at most `maxEntries` entries. */
export async function directoryBytes(
  dir: string,
  maxEntries: number,
): Promise<{ bytes: number; complete: boolean }> {
  let bytes = 0;
  let visited = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let handle;
    try {
      handle = await opendir(current);
    } catch {
      continue; // removed meanwhile, or not readable: not counted
    }
    for await (const entry of handle) {
      if (++visited > maxEntries) return { bytes, complete: false };
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile())
        bytes += await lstat(path).then(
          (s) => s.size,
          () => 0,
        );
    }
  }
  return { bytes, complete: true };
}

/** Bytes as whole MiB, rounded up (a non-empty directory is never 0). */
export const mibOf = (bytes: number): number => Math.ceil(bytes / MIB);

/** Measures data directories in the background and keeps the last figure of each. */
export class DataUsageMeter {
  private readonly sizes = new Map<string, { mb: number; at: number }>();
  private readonly truncated = new Set<string>();
  private walking = false;

  constructor(private readonly o: DataUsageOptions) {}

  /** The last figure of `instanceId`, in MiB; undefined until first measured. */
  get(instanceId: string): number | undefined {
    return this.sizes.get(instanceId)?.mb;
  }

  /**
   * Starts measuring, in the background, those of `dirs` not measured for an interval, and
   * forgets the instances not listed. Returns at once; never throws.
   */
  refresh(dirs: readonly MeasuredDir[]): void {
    const listed = new Set(dirs.map((d) => d.instanceId));
    for (const id of this.sizes.keys()) if (!listed.has(id)) this.sizes.delete(id);
    if (this.walking) return;
    const now = this.o.now();
    const interval = this.o.intervalMs;
    const due = dirs.filter((d) => {
      const last = this.sizes.get(d.instanceId);
      return last === undefined || now - last.at >= interval;
    });
    if (due.length === 0) return;
    this.walking = true;
    void this.measure(due)
      .catch((err: unknown) => this.o.logger.warn('data directory measurement failed', { err }))
      .finally(() => (this.walking = false));
  }

  private async measure(due: readonly MeasuredDir[]): Promise<void> {
    let changed = false;
    for (const { instanceId, dir } of due) {
      const { bytes, complete } = await directoryBytes(dir, this.o.maxEntries ?? MAX_WALK_ENTRIES);
      if (!complete && !this.truncated.has(instanceId)) {
        this.truncated.add(instanceId);
        this.o.logger.warn('data directory too large to walk whole; its size is a lower bound', {
          instance: instanceId,
          entries: this.o.maxEntries ?? MAX_WALK_ENTRIES,
        });
      }
      const mb = mibOf(bytes);
      if (this.sizes.get(instanceId)?.mb !== mb) changed = true;
      this.sizes.set(instanceId, { mb, at: this.o.now() });
    }
    if (changed) this.o.onChange();
  }
}
