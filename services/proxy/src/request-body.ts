/**
 * A client request body kept for replay while it streams to the first instance: when that instance
 * cannot be reached, the same bytes go to the next one. Bodies up to {@link MAX_REPLAY_BODY_BYTES}
 * are kept; a larger one streams on unbuffered and its request is not retried. The body moves
 * with backpressure: the client is paused while the current instance's socket is full.
 */
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';

/**
 * Largest body kept for replay. API requests to the deployments behind the proxy (etcd puts, small
 * JSON documents) fit comfortably; 64 KiB per in-flight request bounds the memory a burst of large
 * uploads can pin (1,000 in flight: 64 MB at worst), and uploads that large retry on their own.
 */
export const MAX_REPLAY_BODY_BYTES = 64 * 1024;

/** A request body relayed to one sink at a time, replayable while it fits in the buffer. */
export class ReplayableBody {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Bytes received from the client so far, replayable or not (traffic metering). */
  received = 0;
  private overflowed = false;
  private ended = false;
  private sink: Writable | undefined;

  constructor(
    private readonly source: IncomingMessage,
    private readonly limit = MAX_REPLAY_BODY_BYTES,
  ) {
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.once('end', () => {
      this.ended = true;
      this.sink?.end();
    });
  }

  /** True while every byte received so far is still held (the body can be sent again). */
  get replayable(): boolean {
    return !this.overflowed;
  }

  /**
   * Sends the body to `sink`: the bytes held so far, then the rest as it arrives. A previous sink
   * stops receiving. Only call while {@link replayable} (or for the first sink).
   */
  attach(sink: Writable): void {
    this.sink = sink;
    for (const chunk of this.chunks) sink.write(chunk);
    if (this.ended) sink.end();
    else this.source.resume();
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.length;
    if (!this.overflowed) {
      this.bytes += chunk.length;
      if (this.bytes > this.limit) {
        this.overflowed = true;
        this.chunks = [];
      } else {
        this.chunks.push(chunk);
      }
    }
    const sink = this.sink;
    if (sink === undefined || sink.destroyed) return;
    if (!sink.write(chunk)) {
      this.source.pause();
      sink.once('drain', () => {
        if (this.sink === sink) this.source.resume();
      });
    }
  }
}
