import { parseDeadLetterName, parseDeadLetterQuery, selectDeadLetters } from './dead-letters';

describe('dead-letter selection', () => {
  const names = [
    'ops-0000000007',
    'pager-duty-0000000003',
    'ops-0000000003',
    'junk',
    'ops-12',
    'ops-0000000010',
  ];

  it('parses target ids holding dashes and skips foreign names', () => {
    expect(parseDeadLetterName('pager-duty-0000000003')).toEqual({
      name: 'pager-duty-0000000003',
      target: 'pager-duty',
      seq: 3,
    });
    expect(parseDeadLetterName('junk')).toBeUndefined();
    expect(parseDeadLetterName('ops-12')).toBeUndefined();
  });

  it('answers the newest by event sequence across targets, oldest first, optionally of one target', () => {
    const all = selectDeadLetters(names, { limit: 100 });
    expect(all.map((n) => n.name)).toEqual([
      'ops-0000000003',
      'pager-duty-0000000003',
      'ops-0000000007',
      'ops-0000000010',
    ]);
    expect(selectDeadLetters(names, { limit: 2 }).map((n) => n.seq)).toEqual([7, 10]);
    expect(selectDeadLetters(names, { target: 'pager-duty', limit: 10 }).map((n) => n.name)).toEqual([
      'pager-duty-0000000003',
    ]);
  });

  it('validates target and limit, naming them', () => {
    expect(parseDeadLetterQuery({})).toEqual({ limit: 100 });
    expect(() => parseDeadLetterQuery({ target: 'Bad/..' })).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ path: 'target' })] }),
    );
    expect(() => parseDeadLetterQuery({ limit: '0' })).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ path: 'limit' })] }),
    );
  });
});
