/**
 * The narrow `Logger` every Wharf package depends on, and the winston-backed factory services use
 * to build one. Messages are constant strings; everything variable goes in metadata.
 */
import {
  createLogger as createWinstonLogger,
  format,
  transports as winstonTransports,
  type transport as Transport,
} from 'winston';
import { sanitize } from './redact';

/** Log levels, most severe first (the numbers are winston's priorities). */
export const LOG_LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = keyof typeof LOG_LEVELS;

/** Level used when none is given: operational events without per-request chatter. */
const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** The logging surface every package accepts; satisfied by {@link createLogger} and test loggers. */
export interface Logger {
  /** Detail useful only when chasing a problem. */
  debug(message: string, meta?: Record<string, unknown>): void;
  /** A normal, noteworthy event (a transition, a completed action). */
  info(message: string, meta?: Record<string, unknown>): void;
  /** Something unexpected that Wharf recovered from. */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** A failure; pass the error as metadata (`{ err }`) so its stack is kept. */
  error(message: string, meta?: Record<string, unknown>): void;
  /** A logger that adds `meta` to every entry (call-site metadata wins on a clash). */
  child(meta: Record<string, unknown>): Logger;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, bound to every entry as `service`. */
  service: string;
  /** Minimum level written; `main.ts` reads it from the environment. Default `info`. */
  level?: LogLevel;
  /** Write JSON lines to this stream instead of the console. Ignored when `transports` is set. */
  stream?: NodeJS.WritableStream;
  /** Winston transports to use instead of the console or `stream`. */
  transports?: Transport[];
  /** Metadata bound to every entry, like {@link Logger.child}. */
  context?: Record<string, unknown>;
}

/** Receives one sanitised entry; the seam between the `Logger` surface and a backend. */
export type LogSink = (level: LogLevel, message: string, meta: Record<string, unknown>) => void;

/** Whether `value` names a {@link LogLevel}; use it to validate a level read from the environment. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LOG_LEVELS, value);
}

/** A JSON logger (timestamp, service, redacted metadata, error stacks) writing through winston. */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? DEFAULT_LOG_LEVEL;
  if (!isLogLevel(level)) throw new TypeError(`unknown log level "${String(level)}"`);
  const winston = createWinstonLogger({
    levels: LOG_LEVELS,
    level,
    format: format.combine(format.errors({ stack: true }), format.timestamp(), format.json()),
    transports: options.transports ?? [
      options.stream
        ? new winstonTransports.Stream({ stream: options.stream })
        : new winstonTransports.Console(),
    ],
  });
  const sink: LogSink = (entryLevel, message, meta) => {
    // `service`, `level` and `message` are written last so metadata can never forge them.
    winston.log({ ...meta, service: options.service, level: entryLevel, message });
  };
  const enabled = (entryLevel: LogLevel): boolean => winston.isLevelEnabled(entryLevel);
  return bindLogger(sink, sanitize(options.context ?? {}), enabled);
}

/** A `Logger` over `sink` with `bindings` (already sanitised) merged under each entry's metadata. */
export function bindLogger(
  sink: LogSink,
  bindings: Record<string, unknown>,
  enabled: (level: LogLevel) => boolean = () => true,
): Logger {
  const write = (level: LogLevel, message: string, meta?: Record<string, unknown>): void => {
    // Skip the sanitising walk for entries that would be dropped anyway.
    if (!enabled(level)) return;
    // An Error spread into an object loses message and stack; keep it whole under `err`.
    const fields = meta instanceof Error ? { err: meta } : meta;
    sink(level, message, { ...bindings, ...sanitize(fields ?? {}) });
  };
  return {
    debug: (message, meta) => write('debug', message, meta),
    info: (message, meta) => write('info', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    error: (message, meta) => write('error', message, meta),
    child: (meta) => bindLogger(sink, { ...bindings, ...sanitize(meta) }, enabled),
  };
}

/** A `Logger` that discards everything; the default where a logger is optional. */
export const nullLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
});
