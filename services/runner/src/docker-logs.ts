/**
 * A Docker-mode service's output in its log file, as in process mode: the container's stdout and
 * stderr, followed from its start and appended to `<home>/hosts/<host>/logs/<id>.log`. Following
 * is `DockerRuntime.followLogs()` (@wharf/runtime owns every word said to Docker); the launcher
 * sees it only as a {@link ContainerLogSource}.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Logger } from '@wharf/observability';

/** Follows a container's output: stdout and stderr, demultiplexed, in the order written. */
export interface ContainerLogSource {
  /** The output since `sinceMs` (epoch ms); the stream ends when the container stops or goes away. */
  follow(id: string, options: { sinceMs: number }): Promise<Readable>;
}

/** The {@link ContainerLogSource} of a Docker runtime: `followLogs()`. */
export function runtimeLogSource(runtime: {
  followLogs(id: string, options: { sinceMs: number }): Promise<Readable>;
}): ContainerLogSource {
  return { follow: (id, options) => runtime.followLogs(id, options) };
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
