/**
 * Docker's event stream format, parsed without I/O: newline-delimited JSON whose chunks may hold
 * several or partial objects. (Log streams are demultiplexed by dockerode: see docker-logs.ts.)
 */

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
