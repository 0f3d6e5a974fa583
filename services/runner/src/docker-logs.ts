/**
 * A Docker-mode service's output in its log file, as in process mode: the container's stdout and
 * stderr, followed from its start and appended to `<home>/hosts/<host>/logs/<id>.log`.
 *
 * @wharf/runtime is the package that talks to Docker, but its `logs()` only reads a tail; until
 * it can follow, the runner asks the engine for this one thing itself — a plain HTTP request on
 * the engine socket (no dockerode here, STYLE.md rule 5) — behind {@link ContainerLogSource}, so
 * the launcher does not care who provides it.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Logger } from '@wharf/observability';

/** Size of a multiplexed frame header: stream type, 3 zero bytes, big-endian payload length. */
const FRAME_HEADER_BYTES = 8;
/** Longest error body read from the engine (its JSON `{ message }`). */
const MAX_ERROR_BODY_BYTES = 4096;

/** Follows a container's output: stdout and stderr, demultiplexed, in the order written. */
export interface ContainerLogSource {
  /** The output since `sinceMs` (epoch ms); the stream ends when the container stops or goes away. */
  follow(id: string, options: { sinceMs: number }): Promise<Readable>;
}

/**
 * Strips the 8-byte frame headers of Docker's multiplexed stream (a container without a TTY),
 * however the frames are cut into chunks. Output that does not start like a frame (a TTY
 * container's raw stream) is passed through untouched from there on.
 */
export class LogDemuxer extends Transform {
  private header = Buffer.alloc(0);
  private remaining = 0;
  private raw = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.raw) {
        this.push(chunk.subarray(offset));
        break;
      }
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.push(chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        continue;
      }
      const need = FRAME_HEADER_BYTES - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (this.header.length < FRAME_HEADER_BYTES) break;
      const header = this.header;
      this.header = Buffer.alloc(0);
      if (!isFrameHeader(header)) {
        this.raw = true;
        this.push(header);
        continue;
      }
      this.remaining = header.readUInt32BE(4);
    }
    callback();
  }
}

function isFrameHeader(header: Buffer): boolean {
  return header[0]! <= 2 && header[1] === 0 && header[2] === 0 && header[3] === 0;
}

/** Docker's `since`: seconds and nanoseconds since the epoch (the engine accepts `s.nnnnnnnnn`). */
export function dockerSince(epochMs: number): string {
  const ms = Math.max(0, Math.floor(epochMs));
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000000`;
}

/** A {@link ContainerLogSource} asking the engine on its unix socket (`GET /containers/{id}/logs`). */
export function engineLogSource(socketPath: string): ContainerLogSource {
  return {
    follow: (id, { sinceMs }) =>
      new Promise<Readable>((resolve, reject) => {
        const query = new URLSearchParams({
          follow: '1',
          stdout: '1',
          stderr: '1',
          since: dockerSince(sinceMs),
        });
        const req = request(
          { socketPath, method: 'GET', path: `/containers/${encodeURIComponent(id)}/logs?${query}` },
          (res) => {
            if (res.statusCode !== 200) {
              readError(res, res.statusCode).then(reject, reject);
              return;
            }
            if (String(res.headers['content-type']).includes('raw-stream')) return resolve(res);
            const demuxer = new LogDemuxer();
            // pipeline: destroying the demuxer closes the engine connection too.
            pipeline(res, demuxer).catch((err: unknown) => demuxer.destroy(err as Error));
            resolve(demuxer);
          },
        );
        req.once('error', reject);
        req.end();
      }),
  };
}

async function readError(res: Readable, status: number | undefined): Promise<Error> {
  let body = '';
  for await (const chunk of res) {
    if (body.length < MAX_ERROR_BODY_BYTES) body += String(chunk);
  }
  let message = body.trim();
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the text
  }
  return new Error(`docker engine answered ${status ?? '?'} to a logs request: ${message}`);
}

/** Opens a log file for appending (its directory is created). */
export function appendToFile(path: string): Writable {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: 'a' });
}

/** One container's output being copied into its log file. */
export interface LogCopy {
  /** Resolves when the copy ended: the stream ended (the container stopped), failed, or was closed. */
  readonly done: Promise<void>;
  /** Waits up to `ms` for the stream to end by itself, then closes it. Idempotent. */
  settle(ms: number): Promise<void>;
}

/** Options of {@link copyLogs}. */
export interface CopyLogsOptions {
  readonly source: ContainerLogSource;
  readonly id: string;
  readonly sinceMs: number;
  readonly open: () => Writable;
  readonly logger: Logger;
}

/** Starts copying container `id`'s output into `open()` (opened once the stream is there). */
export function copyLogs(options: CopyLogsOptions): LogCopy {
  let stream: Readable | undefined;
  let closed = false;
  const done = (async () => {
    const followed = await options.source.follow(options.id, { sinceMs: options.sinceMs });
    if (closed) {
      followed.destroy();
      return;
    }
    stream = followed;
    await pipeline(followed, options.open());
  })().catch((err: unknown) => {
    if (!closed) options.logger.warn('service log stream failed', { container: options.id, err });
  });
  const close = (): void => {
    closed = true;
    stream?.destroy();
  };
  return {
    done,
    settle: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
      close();
    },
  };
}
