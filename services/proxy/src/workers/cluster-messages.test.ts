import { fullSet, routeDelta } from './cluster-messages';

describe('routeDelta', () => {
  it('sends everything the first time', () => {
    const delta = routeDelta(new Map(), [
      { name: 'a', data: Buffer.from('{"a":1}') },
      { name: 'b', data: '{"b":1}' },
    ]);
    expect(delta.upserts).toEqual([
      ['a', '{"a":1}'],
      ['b', '{"b":1}'],
    ]);
    expect(delta.removals).toEqual([]);
    expect(fullSet(delta.next)).toEqual(delta.upserts);
  });

  it('sends only changed, new and removed documents afterwards', () => {
    const previous = new Map([
      ['a', '{"a":1}'],
      ['b', '{"b":1}'],
      ['c', '{"c":1}'],
    ]);
    const delta = routeDelta(previous, [
      { name: 'a', data: Buffer.from('{"a":1}') }, // same text, new buffer: not resent
      { name: 'b', data: '{"b":2}' },
      { name: 'd', data: undefined },
    ]);
    expect(delta.upserts).toEqual([
      ['b', '{"b":2}'],
      ['d', ''],
    ]);
    expect(delta.removals).toEqual(['c']);
    expect([...delta.next.keys()]).toEqual(['a', 'b', 'd']);
  });
});
