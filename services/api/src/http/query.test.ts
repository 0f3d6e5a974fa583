import { type Request } from 'express';
import { allowOnly, boolParam, intParam, stringParam } from './query';

const req = (query: Record<string, unknown>) => ({ query }) as unknown as Request;
const pathOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { details: Array<{ path: string }> }).details[0]?.path;
  }
  return undefined;
};

describe('query parameters', () => {
  it('refuses unknown, repeated and nested parameters, naming them', () => {
    expect(pathOf(() => allowOnly(req({ sise: '1' }), ['size']))).toBe('sise');
    expect(pathOf(() => allowOnly(req({ size: ['1', '2'] }), ['size']))).toBe('size');
    expect(pathOf(() => allowOnly(req({ size: { a: '1' } }), ['size']))).toBe('size');
    expect(allowOnly(req({ size: '1' }), ['size'])).toEqual({ size: '1' });
  });

  it('parses bounded integers', () => {
    expect(intParam({}, 'size', 0, 100, 20)).toBe(20);
    expect(intParam({ size: '7' }, 'size', 0, 100, 20)).toBe(7);
    for (const bad of ['-1', '101', '1.5', '1e2', ' 1', 'abc', '']) {
      expect(pathOf(() => intParam({ size: bad }, 'size', 0, 100))).toBe('size');
    }
  });

  it('parses booleans and patterned strings', () => {
    expect(boolParam({ v: 'true' }, 'v', false)).toBe(true);
    expect(boolParam({}, 'v', false)).toBe(false);
    expect(pathOf(() => boolParam({ v: '1' }, 'v', false))).toBe('v');
    expect(stringParam({ r: 'abc' }, 'r', /^a/, 'x')).toBe('abc');
    expect(pathOf(() => stringParam({ r: 'b' }, 'r', /^a/, 'x'))).toBe('r');
  });
});
