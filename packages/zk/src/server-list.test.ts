import { formatServerList, parseServerList, sameServers, serversFromConfig } from './server-list';

const ONE = parseServerList('127.0.0.1:2181');

const GROWN = [
  'server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181',
  'server.2=127.0.0.2:2889:3889:participant;0.0.0.0:2182',
  'server.3=127.0.0.3:2890:3890:observer;2183',
  'version=300000004',
].join('\n');

describe('serversFromConfig', () => {
  test('every member’s client address replaces a one-member list', () => {
    expect(serversFromConfig(GROWN, ONE, false)).toEqual([
      { host: '127.0.0.1', port: 2181 },
      { host: '127.0.0.2', port: 2182 },
      { host: '127.0.0.3', port: 2183 },
    ]);
  });

  test('the same set in another order is no change', () => {
    const current = parseServerList('127.0.0.3:2183,127.0.0.1:2181,127.0.0.2:2182');
    expect(serversFromConfig(GROWN, current, false)).toBeNull();
  });

  test.each([
    ['empty', ''],
    ['a standalone server’s empty node', '\n'],
    ['garbled', 'server.1=nonsense\nversion=zz\n\u0000\u0001'],
    ['only a version', 'version=100000000'],
    ['members without a plaintext client port', 'server.1=127.0.0.1:2888:3888:participant'],
  ])('%s config keeps the current list', (_name, text) => {
    expect(serversFromConfig(text, ONE, false)).toBeNull();
  });

  test('TLS: the secure port of the current list, never the config’s plaintext one', () => {
    const tlsConfig = [
      'server.1=127.0.0.1:2888:3888:participant',
      'server.2=127.0.0.2:2888:3888:participant',
      'server.3=127.0.0.3:2888:3888:participant;127.0.0.3:2181',
    ].join('\n');
    expect(serversFromConfig(tlsConfig, parseServerList('127.0.0.1:2281'), true)).toEqual([
      { host: '127.0.0.1', port: 2281 },
      { host: '127.0.0.2', port: 2281 },
      { host: '127.0.0.3', port: 2281 },
    ]);
  });

  test('TLS: a member whose secure port cannot be known is left out', () => {
    const current = parseServerList('127.0.0.1:2281,127.0.0.2:2282');
    const tlsConfig = ['server.1=127.0.0.1:1:2', 'server.2=127.0.0.2:1:2', 'server.3=127.0.0.3:1:2'].join(
      '\n',
    );
    expect(serversFromConfig(tlsConfig, current, true)).toBeNull(); // 1 and 2 as before, 3 unknown
  });

  test('TLS: members sharing a host with different ports are never collapsed onto one', () => {
    const current = parseServerList('127.0.0.1:2281,127.0.0.1:2282');
    const tlsConfig = ['server.1=127.0.0.1:1:2', 'server.2=127.0.0.1:3:4', 'server.3=127.0.0.1:5:6'].join(
      '\n',
    );
    expect(serversFromConfig(tlsConfig, current, true)).toBeNull();
  });
});

describe('server lists', () => {
  test('parse and format round-trip; bad entries are skipped', () => {
    expect(formatServerList(parseServerList('a:1, b:2 ,c,d:0,e:x,:3'))).toBe('a:1,b:2,c:2181');
  });

  test('sameServers ignores order and duplicates', () => {
    expect(sameServers(parseServerList('a:1,b:2'), parseServerList('b:2,a:1,a:1'))).toBe(true);
    expect(sameServers(parseServerList('a:1'), parseServerList('a:1,b:2'))).toBe(false);
  });
});
