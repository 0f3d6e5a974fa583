/** Notes of `wharf up`'s own in a process's log, so starts and exits show up next to its output. */
import { appendFileSync } from 'node:fs';
import { type Clock } from '@wharf/supervise';

/** Appends one JSON line (`source: wharf-up`) to `logFile`; never throws. */
export function appendLogNote(
  logFile: string,
  clock: Pick<Clock, 'now'>,
  message: string,
  meta: Record<string, unknown>,
): void {
  const line = {
    timestamp: new Date(clock.now()).toISOString(),
    level: 'info',
    source: 'wharf-up',
    message,
    ...meta,
  };
  try {
    appendFileSync(logFile, `${JSON.stringify(line)}\n`);
  } catch {
    // The log directory vanished (someone removed WHARF_HOME); the process itself will say more.
  }
}
