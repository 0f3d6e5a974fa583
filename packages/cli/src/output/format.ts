/** Text formatting shared by commands: errors, tables, durations, log lines. Pure. */
import { isWharfError } from '@wharf/model';
import { ApiError } from '../api/api-error';

/** Lines for an error: `error CODE: message`, then one line per detail path, then any log tail. */
export function formatError(err: unknown): string[] {
  if (err instanceof ApiError) return formatErrorBody(err.code, err.message, err.details);
  if (!isWharfError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return [`error: ${message}`];
  }
  return formatErrorBody(err.code, err.message, err.details);
}

/** Lines for a `{ code, message, details }` error body (the API's or our own). */
export function formatErrorBody(code: string, message: string, details: unknown): string[] {
  const lines = [`error ${code}: ${message}`];
  const list = Array.isArray(details) ? details : details === undefined || details === null ? [] : [details];
  for (const detail of list) {
    if (detail !== null && typeof detail === 'object') {
      const d = detail as Record<string, unknown>;
      const path = d.path ?? d.instancePath ?? d.field;
      if (path !== undefined || d.message !== undefined) {
        const line = `${path === undefined ? '' : `${String(path)}: `}${String(d.message ?? '')}`.trimEnd();
        // Our own option errors repeat their one detail in the message; print it once.
        if (!message.includes(line)) lines.push(`  ${line}`);
      } else {
        lines.push(`  ${JSON.stringify(d)}`);
      }
      if (Array.isArray(d.log)) for (const line of d.log) lines.push(`    | ${String(line)}`);
    } else {
      lines.push(`  ${String(detail)}`);
    }
  }
  return lines;
}

/** Aligns rows under a header; every cell is already a string. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `850ms`, `12.3s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** One human-readable log line: `level  message key=value …` (Errors show their message). */
export function formatLogLine(level: string, message: string, meta: Record<string, unknown>): string {
  const fields = Object.entries(meta)
    .filter(([key]) => key !== 'service' && key !== 'timestamp')
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [level.padEnd(5), message, ...fields].join(' ');
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
