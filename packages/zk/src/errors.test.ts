import { WharfError } from '@wharf/model';
import { Exception } from 'node-zookeeper-client';
import { closedError, toWharfError, wharfCodeForZkCode, ZK_RESULT_CODES, zkCodeName } from './errors';

describe('error mapping', () => {
  // The expected mapping by the library's names (a second statement of the table, not a copy).
  const expected: Record<string, string> = {
    NO_NODE: 'WHARF_ZK_NO_NODE',
    NODE_EXISTS: 'WHARF_ZK_NODE_EXISTS',
    BAD_VERSION: 'WHARF_ZK_BAD_VERSION',
    NOT_EMPTY: 'WHARF_ZK_NOT_EMPTY',
    CONNECTION_LOSS: 'WHARF_ZK_CONNECTION_LOSS',
    OPERATION_TIMEOUT: 'WHARF_ZK_CONNECTION_LOSS',
    SESSION_EXPIRED: 'WHARF_ZK_SESSION_EXPIRED',
    NO_AUTH: 'WHARF_ZK_NO_AUTH',
    AUTH_FAILED: 'WHARF_ZK_ERROR',
  };
  test.each(Object.entries(expected))('%s → %s', (name, code) => {
    expect(wharfCodeForZkCode(ZK_RESULT_CODES[name as keyof typeof ZK_RESULT_CODES])).toBe(code);
  });

  test('an unknown code is WHARF_ZK_ERROR', () => {
    expect(wharfCodeForZkCode(-999)).toBe('WHARF_ZK_ERROR');
  });

  test('our code table matches the library', () => {
    for (const [name, code] of Object.entries(ZK_RESULT_CODES)) {
      expect((Exception as unknown as Record<string, number>)[name]).toBe(code);
    }
  });

  test('converts library exceptions with op and path in details', () => {
    const libraryError = { getCode: () => ZK_RESULT_CODES.BAD_VERSION, name: 'BAD_VERSION' };
    const err = toWharfError(libraryError, 'set', '/a');
    expect(err).toBeInstanceOf(WharfError);
    expect(err.code).toBe('WHARF_ZK_BAD_VERSION');
    expect(err.details).toEqual({ op: 'set', path: '/a', zk: 'BAD_VERSION' });
    expect(err.cause).toBe(libraryError);
  });

  test('wraps plain errors as WHARF_ZK_ERROR and passes WharfErrors through', () => {
    expect(toWharfError(new Error('boom'), 'get').code).toBe('WHARF_ZK_ERROR');
    const closed = closedError('get', '/x');
    expect(toWharfError(closed, 'other')).toBe(closed);
    expect(zkCodeName(-101)).toBe('NO_NODE');
    expect(zkCodeName(-5000)).toBe('UNKNOWN(-5000)');
  });
});
