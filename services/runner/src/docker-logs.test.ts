import { PassThrough, Readable, Writable } from 'node:stream';
import { createTestLogger } from '@wharf/observability';
import { LogDemuxer, copyLogs, dockerSince, type ContainerLogSource } from './docker-logs';

/** One multiplexed frame: type (1 stdout, 2 stderr), 3 zero bytes, big-endian length, payload. */
function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function demux(chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  const demuxer = new LogDemuxer();
  demuxer.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => demuxer.once('end', resolve));
  for (const chunk of chunks) demuxer.write(chunk);
  demuxer.end();
  await ended;
  return Buffer.concat(out).toString('utf8');
}

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

describe('LogDemuxer', () => {
  test('stdout and stderr frames come out in order, headers stripped', async () => {
    const all = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    expect(await demux([all])).toBe('out 1\nerr 1\nout 2\n');
  });

  test('frames cut anywhere, even inside a header or a character, are put back together', async () => {
    const all = Buffer.concat([frame(1, 'héllo\n'), frame(2, '€ err\n'), frame(1, '')]);
    for (let cut = 1; cut < all.length; cut++) {
      expect(await demux([all.subarray(0, cut), all.subarray(cut)])).toBe('héllo\n€ err\n');
    }
    const bytes = [...all].map((b) => Buffer.from([b]));
    expect(await demux(bytes)).toBe('héllo\n€ err\n');
  });

  test('a stream that does not start with a frame header (TTY) passes through', async () => {
    expect(await demux([Buffer.from('plain text\n'), Buffer.from('more\n')])).toBe('plain text\nmore\n');
  });
});

test('dockerSince renders epoch ms as seconds.nanoseconds', () => {
  expect(dockerSince(1_700_000_000_123)).toBe('1700000000.123000000');
  expect(dockerSince(5)).toBe('0.005000000');
});

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
