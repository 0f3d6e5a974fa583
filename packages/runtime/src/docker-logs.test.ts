import { PassThrough, Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { demuxLogBuffer, dockerSince, followContainerLogs } from './docker-logs';

// A client that never connects: only its modem's demultiplexer is used.
const docker = new Dockerode({ socketPath: '/nonexistent/docker.sock' });

const frame = (type: number, bytes: Buffer | string): Buffer => {
  const payload = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('demuxLogBuffer', () => {
  it('strips the 8-byte headers and keeps the order of stdout and stderr', async () => {
    const buffer = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    expect(await demuxLogBuffer(docker, buffer)).toBe('out 1\nerr 1\nout 2\n');
  });

  it('does not split a character cut across frames', async () => {
    const euro = Buffer.from('€', 'utf8');
    const buffer = Buffer.concat([frame(1, euro.subarray(0, 1)), frame(1, euro.subarray(1))]);
    expect(await demuxLogBuffer(docker, buffer)).toBe('€');
  });

  it('returns a TTY log (no headers) whole', async () => {
    expect(await demuxLogBuffer(docker, Buffer.from('plain text\n'))).toBe('plain text\n');
  });
});

describe('dockerSince', () => {
  it('writes epoch milliseconds as seconds.nanoseconds', () => {
    expect(dockerSince(1_700_000_000_123)).toBe('1700000000.123000000');
    expect(dockerSince(-5)).toBe('0.000000000');
  });
});

describe('followContainerLogs', () => {
  /** A client whose container serves `source` as its followed log, demultiplexed by the real modem. */
  const serving = (source: Readable): Dockerode =>
    ({ modem: docker.modem, getContainer: () => ({ logs: async () => source }) }) as unknown as Dockerode;

  it('puts frames cut anywhere, even inside a header or a character, back together', async () => {
    const all = Buffer.concat([frame(1, 'héllo\n'), frame(2, '€ err\n'), frame(1, '')]);
    for (const cut of [1, 5, 8, 10, 15, all.length - 1]) {
      const out = await followContainerLogs(
        serving(Readable.from([all.subarray(0, cut), all.subarray(cut)])),
        'c',
      );
      const chunks: Buffer[] = [];
      for await (const chunk of out) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toBe('héllo\n€ err\n');
    }
  });

  it('destroying the followed stream closes the engine connection', async () => {
    const source = new PassThrough();
    const out = await followContainerLogs(serving(source), 'c');
    out.destroy();
    await new Promise((resolve) => source.once('close', resolve));
    expect(source.destroyed).toBe(true);
  });
});
