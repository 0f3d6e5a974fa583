/**
 * Messages from the background supervisor (`wharf up --supervisor <mode>`) to the `wharf up` that
 * spawned it, over Node's IPC channel: log lines while starting, then `ready` or `failed`.
 */
import { LOG_LEVELS, type Logger, type LogLevel } from '@wharf/observability';
import { type ParentChannel } from '../context';
import { type PlatformRecord, type ReadyInfo, isRecordedRunning } from '@wharf/platform';

/** Marker in the supervisor's command line, checked before a recorded supervisor pid is signalled. */
export const SUPERVISOR_COMMAND_MATCH = '--supervisor';

/** True while the supervisor `record` names still runs. */
export function isSupervisorRunning(record: PlatformRecord): boolean {
  return isRecordedRunning({
    pid: record.supervisor_pid,
    ...(record.supervisor_start_time === undefined ? {} : { start_time: record.supervisor_start_time }),
    command_match: SUPERVISOR_COMMAND_MATCH,
  });
}

/** How the supervisor was started. `attached`: stop everything when the parent goes away. */
export const SUPERVISOR_MODES = ['attached', 'detached'] as const;

/** A supervisor mode. */
export type SupervisorMode = (typeof SUPERVISOR_MODES)[number];

/** One message to the parent. */
export type SupervisorMessage =
  | { type: 'log'; level: LogLevel; message: string; meta: Record<string, unknown> }
  | { type: 'ready'; info: ReadyInfo }
  | { type: 'failed'; error: { code: string; message: string; details?: unknown } };

/** True when `value` looks like a {@link SupervisorMessage}. */
export function isSupervisorMessage(value: unknown): value is SupervisorMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'log' || type === 'ready' || type === 'failed';
}

/** Sends `message` when the channel is still open (the parent of a detached supervisor leaves early). */
export function sendToParent(parent: ParentChannel | undefined, message: SupervisorMessage): void {
  if (parent?.connected) {
    try {
      parent.send(message);
    } catch {
      // The parent disconnected between the check and the send; it no longer wants the message.
    }
  }
}

/** A Logger that forwards entries at `minLevel` or above to the parent (Errors flattened: IPC is JSON). */
export function parentLogger(
  parent: ParentChannel | undefined,
  minLevel: LogLevel,
  bindings: Record<string, unknown> = {},
): Logger {
  const write = (level: LogLevel) => (message: string, meta?: Record<string, unknown>) => {
    if (LOG_LEVELS[level] > LOG_LEVELS[minLevel]) return;
    const flat = Object.fromEntries(
      Object.entries({ ...bindings, ...meta }).map(([k, v]) => [k, v instanceof Error ? v.message : v]),
    );
    sendToParent(parent, { type: 'log', level, message, meta: flat });
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (meta) => parentLogger(parent, minLevel, { ...bindings, ...meta }),
  };
}

/** A Logger writing every entry to each of `loggers`. */
export function teeLogger(...loggers: Logger[]): Logger {
  return {
    debug: (message, meta) => loggers.forEach((l) => l.debug(message, meta)),
    info: (message, meta) => loggers.forEach((l) => l.info(message, meta)),
    warn: (message, meta) => loggers.forEach((l) => l.warn(message, meta)),
    error: (message, meta) => loggers.forEach((l) => l.error(message, meta)),
    child: (meta) => teeLogger(...loggers.map((l) => l.child(meta))),
  };
}
