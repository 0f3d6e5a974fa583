import { type ZkLogger } from '@wharf/zk';

/** One captured log call. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly meta?: object;
}

/** A logger that keeps every entry, for asserting on logs; `echo` also prints them. */
export interface RecordingLogger extends ZkLogger {
  readonly entries: LogEntry[];
  /** Entries with exactly this message. */
  messages(msg: string): LogEntry[];
}

/** Creates a {@link RecordingLogger}. */
export function recordingLogger(echo = false): RecordingLogger {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (msg: string, meta?: object): void => {
      entries.push({ level, msg, meta });
      if (echo) console.log(`[${level}] ${msg}`, meta ?? '');
    };
  return {
    entries,
    messages: (msg) => entries.filter((e) => e.msg === msg),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
