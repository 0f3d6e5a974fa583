import { JsonLineSplitter } from './docker-streams';

describe('JsonLineSplitter', () => {
  it('reassembles objects split across chunks and splits chunks holding several', () => {
    const splitter = new JsonLineSplitter();
    expect(splitter.push('{"a":1}\n{"b"')).toEqual([{ a: 1 }]);
    expect(splitter.push(':2}\n{"c":3}\n\n')).toEqual([{ b: 2 }, { c: 3 }]);
    expect(splitter.push('not json\n{"d":4}\n')).toEqual([{ d: 4 }]);
  });
});
