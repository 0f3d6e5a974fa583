import { PassThrough, Readable, Writable } from 'node:stream';
import { createTestLogger } from '@wharf/observability';
import { copyLogs, type ContainerLogSource } from './docker-logs';

/** A Writable collecting what is written; `closed` once finished or destroyed. */
function sink() {
  const chunks: Buffer[] = [];
  const state = { closed: false };
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  stream.once('close', () => (state.closed = true));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), state };
}

describe('copyLogs', () => {
  test('copies the stream into the file from the given time and closes the file when it ends', async () => {
    const stream = new PassThrough();
    const calls: unknown[] = [];
    const source: ContainerLogSource = {
      follow: async (id, options) => {
        calls.push([id, options]);
        return stream;
      },
    };
    const file = sink();
    const copy = copyLogs({
      source,
      id: 'c1',
      sinceMs: 42,
      open: () => file.stream,
      logger: createTestLogger(),
    });
    stream.write('line 1\n');
    stream.end('line 2\n');
    await copy.done;
    expect(calls).toEqual([['c1', { sinceMs: 42 }]]);
    expect(file.text()).toBe('line 1\nline 2\n');
    expect(file.state.closed).toBe(true);
  });

  test('settle cuts a stream that does not end and closes the file, quietly', async () => {
    const stream = new PassThrough();
    const file = sink();
    const logger = createTestLogger();
    const copy = copyLogs({
      source: { follow: async () => stream },
      id: 'c1',
      sinceMs: 0,
      open: () => file.stream,
      logger,
    });
    stream.write('before\n');
    await copy.settle(5);
    await copy.done;
    expect(stream.destroyed).toBe(true);
    expect(file.text()).toBe('before\n');
    expect(file.state.closed).toBe(true);
    expect(logger.entries).toEqual([]);
  });

  test('a failing follow is logged and opens no file', async () => {
    const logger = createTestLogger();
    const open = jest.fn(() => sink().stream);
    const copy = copyLogs({
      source: { follow: () => Promise.reject(new Error('no such container')) },
      id: 'c1',
      sinceMs: 0,
      open,
      logger,
    });
    await copy.done;
    expect(open).not.toHaveBeenCalled();
    expect(logger.entries).toMatchObject([{ level: 'warn', message: 'service log stream failed' }]);
  });

  test('a stream that arrives after settle is dropped at once', async () => {
    let release!: (stream: Readable) => void;
    const stream = Readable.from(['late\n']);
    const open = jest.fn(() => sink().stream);
    const copy = copyLogs({
      source: { follow: () => new Promise<Readable>((resolve) => (release = resolve)) },
      id: 'c1',
      sinceMs: 0,
      open,
      logger: createTestLogger(),
    });
    await copy.settle(0);
    release(stream);
    await copy.done;
    expect(open).not.toHaveBeenCalled();
    expect(stream.destroyed).toBe(true);
  });
});
