import { judgeMemberData } from './ensemble-member-data';

describe('judgeMemberData', () => {
  it('clears the data of a member that ran and is not listed now (a removed director)', () => {
    expect(judgeMemberData({ ranBefore: true, listedNow: false, serverPids: [] })).toBe('stale');
  });

  it('leaves a fresh directory and a listed member alone', () => {
    expect(judgeMemberData({ ranBefore: false, listedNow: false, serverPids: [] })).toBe('fresh');
    expect(judgeMemberData({ ranBefore: true, listedNow: true, serverPids: [42] })).toBe('listed');
  });

  it('refuses while a server still runs on the old data', () => {
    expect(() => judgeMemberData({ ranBefore: true, listedNow: false, serverPids: [42] })).toThrow(
      expect.objectContaining({ code: 'WHARF_CONFLICT', message: expect.stringContaining('pid 42') }),
    );
  });
});
