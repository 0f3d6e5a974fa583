/**
 * A client of HAProxy's runtime API (the admin `stats socket`): one command per connection, the
 * answer is everything HAProxy writes before it closes. Route changes are rare and small, so the
 * cost of a connection per command (~0.1 ms on a Unix socket) buys simple, unambiguous answers.
 */
import net from 'node:net';
import { WharfError } from '@wharf/model';

/** Longest one command may take (HAProxy answers these in microseconds; a stuck socket must not hang a sync). */
export const COMMAND_TIMEOUT_MS = 5_000;
/** Largest answer read (a `show stat` of the full slot pool is ~0.5 MB). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** Sends commands to one HAProxy admin socket. */
export class RuntimeApi {
  constructor(private readonly socketPath: string) {}

  /** Runs one command line and resolves with HAProxy's answer (trimmed). */
  command(line: string): Promise<string> {
    if (/[\n;]/.test(line)) {
      return Promise.reject(new WharfError('WHARF_VALIDATION', 'runtime API command must be one command'));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const socket = net.createConnection(this.socketPath);
      socket.setTimeout(COMMAND_TIMEOUT_MS, () =>
        socket.destroy(new WharfError('WHARF_TIMEOUT', 'HAProxy runtime API did not answer')),
      );
      socket.on('connect', () => socket.end(`${line}\n`));
      socket.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES)
          socket.destroy(new WharfError('WHARF_INTERNAL', 'runtime API answer too large'));
        else chunks.push(chunk);
      });
      socket.on('error', reject);
      socket.on('close', (hadError) => {
        if (!hadError) resolve(Buffer.concat(chunks).toString('utf8').trim());
      });
    });
  }
}
