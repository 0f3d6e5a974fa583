import { parseProcStat } from './proc';

describe('parseProcStat', () => {
  it('reads state, process group and start time', () => {
    const line =
      '4242 (etcd) S 1 4242 4242 0 -1 4194560 1 0 0 0 5 3 0 0 20 0 12 0 987654 1000 100 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ state: 'S', pgrp: 4242, startTicks: '987654' });
  });
  it('copes with spaces and parentheses in the command name', () => {
    const line = '7 (a) b (c)) Z 1 99 99 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 31337 0 0';
    expect(parseProcStat(line)).toEqual({ state: 'Z', pgrp: 99, startTicks: '31337' });
  });
  it('returns null for garbage', () => {
    expect(parseProcStat('nonsense')).toBeNull();
    expect(parseProcStat('1 (x) S 1')).toBeNull();
  });
});
