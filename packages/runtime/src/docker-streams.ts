/**
 * Docker's stream formats, parsed without I/O: multiplexed log buffers (8-byte frame headers)
 * and newline-delimited JSON event streams whose chunks may hold several or partial objects.
 */

/** Size of a multiplexed frame header: stream type, 3 zero bytes, big-endian payload length. */
const FRAME_HEADER_BYTES = 8;

/** Which stream a demultiplexed frame came from. */
export type LogStream = 'stdout' | 'stderr';

/** One frame of a multiplexed log. */
export interface LogFrame {
  stream: LogStream;
  text: string;
}

/**
 * Splits a multiplexed log buffer (`follow: false`, no TTY) into frames in their original
 * order. A truncated trailing frame is kept as far as it goes. A buffer that does not start with
 * a valid header (a TTY container) is returned whole as stdout.
 */
export function demuxLogBuffer(buffer: Buffer, encoding: BufferEncoding = 'utf8'): LogFrame[] {
  const frames: LogFrame[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= buffer.length) {
    const type = buffer[offset];
    const padded = buffer[offset + 1] === 0 && buffer[offset + 2] === 0 && buffer[offset + 3] === 0;
    if ((type !== 1 && type !== 2) || !padded) break;
    const size = buffer.readUInt32BE(offset + 4);
    const start = offset + FRAME_HEADER_BYTES;
    const end = Math.min(buffer.length, start + size);
    frames.push({
      stream: type === 2 ? 'stderr' : 'stdout',
      text: buffer.subarray(start, end).toString(encoding),
    });
    offset = end;
  }
  if (offset < buffer.length && frames.length === 0) {
    frames.push({ stream: 'stdout', text: buffer.toString(encoding) });
  }
  return frames;
}

/** The combined text of a multiplexed log buffer (decoded once, so no character is split). */
export function demuxLogText(buffer: Buffer): string {
  const chunks = demuxLogBuffer(buffer, 'latin1').map((frame) => Buffer.from(frame.text, 'latin1'));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reassembles newline-delimited JSON from arbitrary chunks. */
export class JsonLineSplitter {
  private pending = '';

  /** Feeds a chunk; returns every complete, parseable object it finishes (bad lines are dropped). */
  push(chunk: Buffer | string): unknown[] {
    this.pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    const out: unknown[] = [];
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed === '') continue;
      try {
        out.push(JSON.parse(trimmed));
      } catch {
        // A malformed line cannot be repaired; the resync after a reconnect covers anything lost.
      }
    }
    return out;
  }
}
