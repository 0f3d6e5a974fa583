/** An in-memory `Logger` for tests: assert on what was logged without parsing output. */
import { bindLogger, type LogLevel, type Logger } from './logger';
import { sanitize } from './redact';

/** One captured entry; `meta` is sanitised exactly as production output would be. */
export interface LogEntry {
  /** Level the entry was logged at. */
  readonly level: LogLevel;
  /** The constant message string. */
  readonly message: string;
  /** Bound context and call-site metadata, redacted and with errors serialised. */
  readonly meta: Record<string, unknown>;
}

/** A `Logger` that records every entry (all levels, children included) in `entries`. */
export interface TestLogger extends Logger {
  /** Entries in the order they were logged, shared with every child. */
  readonly entries: readonly LogEntry[];
  /** Forget every entry captured so far. */
  clear(): void;
}

/** A fresh {@link TestLogger}; each call has its own entry list. */
export function createTestLogger(context: Record<string, unknown> = {}): TestLogger {
  const entries: LogEntry[] = [];
  const logger = bindLogger(
    (level, message, meta) => entries.push({ level, message, meta }),
    sanitize(context),
  );
  return {
    ...logger,
    entries,
    clear: () => {
      entries.length = 0;
    },
  };
}
