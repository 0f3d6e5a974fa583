import { JsonLineSplitter, demuxLogBuffer, demuxLogText } from './docker-streams';

const frame = (type: number, text: string): Buffer => {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('demuxLogBuffer', () => {
  it('strips the 8-byte headers and keeps the order of stdout and stderr', () => {
    const buffer = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    expect(demuxLogBuffer(buffer)).toEqual([
      { stream: 'stdout', text: 'out 1\n' },
      { stream: 'stderr', text: 'err 1\n' },
      { stream: 'stdout', text: 'out 2\n' },
    ]);
    expect(demuxLogText(buffer)).toBe('out 1\nerr 1\nout 2\n');
  });

  it('does not split a character cut across frames', () => {
    const euro = Buffer.from('€', 'utf8');
    const cut = (type: number, bytes: Buffer): Buffer => {
      const header = Buffer.alloc(8);
      header[0] = type;
      header.writeUInt32BE(bytes.length, 4);
      return Buffer.concat([header, bytes]);
    };
    expect(demuxLogText(Buffer.concat([cut(1, euro.subarray(0, 1)), cut(1, euro.subarray(1))]))).toBe('€');
  });

  it('returns a TTY log (no headers) whole', () => {
    expect(demuxLogText(Buffer.from('plain text\n'))).toBe('plain text\n');
  });
});

describe('JsonLineSplitter', () => {
  it('reassembles objects split across chunks and splits chunks holding several', () => {
    const splitter = new JsonLineSplitter();
    expect(splitter.push('{"a":1}\n{"b"')).toEqual([{ a: 1 }]);
    expect(splitter.push(':2}\n{"c":3}\n\n')).toEqual([{ b: 2 }, { c: 3 }]);
    expect(splitter.push('not json\n{"d":4}\n')).toEqual([{ d: 4 }]);
  });
});
