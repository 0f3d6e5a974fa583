import { lastLines } from './log-file';

describe('lastLines', () => {
  it('returns the last n lines with a trailing newline', () => {
    expect(lastLines('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(lastLines('a\nb\nc', 2)).toBe('b\nc\n');
  });
  it('returns everything when n exceeds the line count', () => {
    expect(lastLines('a\nb\n', 10)).toBe('a\nb\n');
  });
  it('returns nothing for n <= 0 or empty text', () => {
    expect(lastLines('a\n', 0)).toBe('');
    expect(lastLines('', 5)).toBe('');
  });
});
