/**
 * A container's stdout and stderr, as Docker's engine serves them: multiplexed in 8-byte-header
 * frames (no TTY) or raw (TTY). dockerode's modem demultiplexes both (`demuxStream` falls back to
 * passing a stream through untouched when it does not start like a frame), so nothing here parses
 * frames by hand.
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import type Dockerode from 'dockerode';

/** Options of `DockerRuntime.followLogs()`. */
export interface FollowLogsOptions {
  /** Only output written at or after this instant (epoch ms); default: all of it. */
  sinceMs?: number;
}

/** Docker's `since`: seconds and nanoseconds since the epoch (the engine accepts `s.nnnnnnnnn`). */
export function dockerSince(epochMs: number): string {
  const ms = Math.max(0, Math.floor(epochMs));
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000000`;
}

/**
 * Follows container `id`'s output from `sinceMs`: stdout and stderr demultiplexed into one stream
 * in the order written. The stream ends when the container stops or is removed; destroying it
 * closes the engine connection.
 */
export async function followContainerLogs(
  docker: Dockerode,
  id: string,
  options: FollowLogsOptions = {},
): Promise<Readable> {
  const source = (await docker.getContainer(id).logs({
    follow: true,
    stdout: true,
    stderr: true,
    since: dockerSince(options.sinceMs ?? 0),
  })) as Readable;
  const out = new PassThrough();
  docker.modem.demuxStream(source, out, out);
  source.once('end', () => out.end());
  source.once('error', (err) => out.destroy(err));
  out.once('close', () => source.destroy());
  return out;
}

/** The text of a multiplexed (or raw) log buffer read with `follow: false`. */
export async function demuxLogBuffer(docker: Dockerode, buffer: Buffer): Promise<string> {
  const source = Readable.from([buffer]);
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  docker.modem.demuxStream(source, out, out);
  await once(source, 'end');
  out.end();
  await once(out, 'end');
  // Decoded once at the end, so a character split across frames is not mangled.
  return Buffer.concat(chunks).toString('utf8');
}
