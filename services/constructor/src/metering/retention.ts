/**
 * Metering retention, the pure part: which day documents of a deployment are past retention. A
 * day is kept while it ends within `retentionDays` of now, so with 400 days a year-on-year
 * comparison and a disputed invoice of last year can still be recomputed.
 */

/** Days (`YYYY-MM-DD`) kept by default: more than a year, for yearly invoices and disputes. */
export const DEFAULT_METERING_RETENTION_DAYS = 400;
/** Day documents deleted per transaction: well under ZooKeeper's 1 MiB request bound. */
export const MAX_DELETES_PER_TRANSACTION = 100;

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The first day kept: every day before it is past retention. */
export function firstKeptDay(now: number, retentionDays: number): string {
  return new Date(now - retentionDays * DAY_MS).toISOString().slice(0, 10);
}

/** The names among `children` that are day documents older than {@link firstKeptDay}, oldest first. */
export function expiredDays(children: readonly string[], now: number, retentionDays: number): string[] {
  const first = firstKeptDay(now, retentionDays);
  return children.filter((name) => DAY.test(name) && name < first).sort();
}
