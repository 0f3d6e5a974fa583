/** The per-container log file: tail reading and a one-generation rotation at start. */
import { open, rename, stat } from 'node:fs/promises';

/** Lines `logs()` returns when no tail is given (what `docker logs --tail` users usually want). */
export const DEFAULT_LOG_TAIL_LINES = 200;
/** Most bytes read from the end of a log (1 MiB): bounds memory whatever `tail` asks for. */
export const MAX_LOG_READ_BYTES = 1_048_576;
/** A log bigger than this (64 MiB) is moved to `<log>.1` at the next start, so logs cannot fill a disk. */
export const LOG_ROTATE_BYTES = 64 * 1_048_576;

/** The last `lines` lines of `text` (a trailing newline does not count as an empty line). */
export function lastLines(text: string, lines: number): string {
  if (lines <= 0 || text.length === 0) return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const all = body.split('\n');
  return `${all.slice(-lines).join('\n')}\n`;
}

/** The last `lines` lines of the file at `path` ('' when it does not exist). */
export async function tailFile(path: string, lines: number, maxBytes = MAX_LOG_READ_BYTES): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    // Reading from the middle of the file: the first line is a fragment.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return lastLines(text, lines);
  } finally {
    await handle.close();
  }
}

/** Moves `path` to `<path>.1` when it is bigger than `maxBytes`; true when it did. */
export async function rotateIfLarge(path: string, maxBytes = LOG_ROTATE_BYTES): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (info === null || info.size <= maxBytes) return false;
  await rename(path, `${path}.1`);
  return true;
}
