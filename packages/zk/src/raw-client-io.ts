import { type Socket } from 'node:net';
import { PersistentWatches, type ConnectionManagerWatchIo } from './persistent-watch';
import { type ZkWatchEvent } from './types';

/** The parts of node-zookeeper-client's private ConnectionManager the socket I/O patches touch. */
export interface ConnectionManagerIo extends ConnectionManagerWatchIo {
  socket?: Socket;
  onSocketData: (data: Buffer) => void;
}

/** Bytes of the length prefix of every ZooKeeper frame (a big-endian int32). */
const FRAME_HEADER_BYTES = 4;

/**
 * A fix to how the library (pinned exactly) reads its socket, invisible to its protocol code:
 * replies are handed to it one whole frame at a time (see {@link splitFrames}). Writes are left
 * as they are: corking the socket for a turn saved half the write system calls' CPU but delays
 * every request by up to a turn, and did not measure faster (docs/benchmarks.md). Each frame is
 * first shown to `observe` (the ensemble follower's config watch; true: consumed there), then offered to the client's persistent watches (`persistent-watch.ts`), which the library
 * does not know; they are forgotten with the socket, as the server forgets them.
 */
export function installSocketIo(
  cm: ConnectionManagerIo,
  onWatcherError: (err: unknown, event: ZkWatchEvent) => void,
  observe?: (frame: Buffer) => boolean,
): PersistentWatches {
  const watches = new PersistentWatches(cm, onWatcherError);
  splitFrames(cm, watches, observe);
  return watches;
}

/**
 * The library's `onSocketData` handles one frame and calls itself on the rest of the chunk, first
 * concatenating that rest with an empty buffer: a chunk of n replies costs n copies of what is
 * left of it (quadratic; most of its buffer allocations and copies under load). Handing it
 * exactly one whole frame per call skips all of that: its own pending-buffer path never runs.
 * The socket reads into our own accumulator instead, reset when the library opens a new socket
 * (a reconnect must not prepend the old connection's partial frame).
 */
function splitFrames(
  cm: ConnectionManagerIo,
  watches: PersistentWatches,
  observe?: (frame: Buffer) => boolean,
): void {
  const original = cm.onSocketData;
  let socket: Socket | undefined;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // An own property: the library binds `this.onSocketData` when it creates each socket.
  cm.onSocketData = (data: Buffer): void => {
    if (cm.socket !== socket) {
      socket = cm.socket;
      pending = [];
      pendingBytes = 0;
      watches.reset();
    }
    if (data.length === 0) return;
    let buffer = data;
    if (pending.length > 0) {
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes < frameEnd(pending[0]!, pending)) return;
      buffer = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
    let offset = 0;
    while (buffer.length - offset >= FRAME_HEADER_BYTES) {
      const end = offset + FRAME_HEADER_BYTES + buffer.readInt32BE(offset);
      if (end > buffer.length) break;
      const frame = offset === 0 && end === buffer.length ? buffer : buffer.subarray(offset, end);
      if (observe?.(frame) !== true && !watches.intercept(frame)) original.call(cm, frame);
      offset = end;
      if (cm.socket !== socket) return; // the frame closed the connection (expiry, auth failure)
    }
    if (offset < buffer.length) {
      pending = [buffer.subarray(offset)];
      pendingBytes = buffer.length - offset;
    }
  };
}

/** Bytes needed before the first pending frame is whole (its header may itself be split). */
function frameEnd(first: Buffer, pending: readonly Buffer[]): number {
  if (first.length >= FRAME_HEADER_BYTES) return FRAME_HEADER_BYTES + first.readInt32BE(0);
  const head = Buffer.concat(pending as Buffer[]);
  return head.length >= FRAME_HEADER_BYTES ? FRAME_HEADER_BYTES + head.readInt32BE(0) : Infinity;
}
