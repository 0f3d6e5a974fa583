import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { ReplayableBody } from './request-body';

class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  ended = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  override _final(done: () => void): void {
    this.ended = true;
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ReplayableBody', () => {
  it('replays what was held and then the rest to a second sink', async () => {
    const source = new PassThrough();
    const body = new ReplayableBody(source as unknown as IncomingMessage, 10);
    const first = new Sink();
    body.attach(first);
    source.write('abc');
    await tick();
    const second = new Sink();
    body.attach(second);
    source.end('def');
    await tick();
    expect(second.text()).toBe('abcdef');
    expect(second.ended).toBe(true);
    expect(first.text()).toBe('abc');
    expect(body.replayable).toBe(true);
  });

  it('stops holding the body past the limit (no longer replayable) but keeps streaming it', async () => {
    const source = new PassThrough();
    const body = new ReplayableBody(source as unknown as IncomingMessage, 4);
    const sink = new Sink();
    body.attach(sink);
    source.end('abcdefgh');
    await tick();
    expect(body.replayable).toBe(false);
    expect(sink.text()).toBe('abcdefgh');
    expect(sink.ended).toBe(true);
  });
});
