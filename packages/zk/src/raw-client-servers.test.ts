import { NOOP_LOGGER } from './logger';
import { RawClient, outsideChroot } from './raw-client';
import { parseServerList } from './server-list';

/*
 * `RawClient.setServers` writes node-zookeeper-client's private server list (the library has no
 * updateServerList). These tests fail if that internal moves in another library version: no
 * socket is opened — only the library's own `findNextServer` is asked which server comes next.
 */

function client(): RawClient {
  return new RawClient({
    connectString: '127.0.0.1:1',
    chroot: '/wharf',
    sessionTimeoutMs: 6_000,
    logger: NOOP_LOGGER,
    onEvent: () => undefined,
  });
}

/** The servers the library's own `findNextServer` hands out over `count` attempts. */
async function nextServers(raw: RawClient, count: number): Promise<string[]> {
  const cm = (raw.client as unknown as { connectionManager: { findNextServer: FindNext } }).connectionManager;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      await new Promise<string>((resolve) => cm.findNextServer((s) => resolve(`${s.host}:${s.port}`))),
    );
  }
  return out;
}

type FindNext = (cb: (server: { host: string; port: number }) => void) => void;

test('only paths outside a chroot count as outside it', () => {
  expect(outsideChroot('/zookeeper/config', '/wharf')).toBe(true);
  expect(outsideChroot('/wharfish', '/wharf')).toBe(true);
  expect(outsideChroot('/wharf', '/wharf')).toBe(false);
  expect(outsideChroot('/wharf/a', '/wharf')).toBe(false);
  expect(outsideChroot('/zookeeper/config', '')).toBe(false);
});

describe('RawClient.setServers (library internals)', () => {
  test('the library’s next attempts go to the new servers only', async () => {
    const raw = client();
    try {
      expect(raw.servers).toEqual([{ host: '127.0.0.1', port: 1 }]);
      await nextServers(raw, 1); // one attempt spent on the old list
      const grown = parseServerList('127.0.0.2:2,127.0.0.3:3,127.0.0.4:4');
      expect(raw.setServers(grown)).toBe(true);
      expect(raw.servers).toEqual(grown);
      // Three attempts, no spin wait: the attempt counter restarted with the new list.
      expect(new Set(await nextServers(raw, 3))).toEqual(
        new Set(['127.0.0.2:2', '127.0.0.3:3', '127.0.0.4:4']),
      );
    } finally {
      raw.kill();
    }
  });

  test('an empty list is refused and the current one kept', () => {
    const raw = client();
    try {
      expect(raw.setServers([])).toBe(false);
      expect(raw.servers).toEqual([{ host: '127.0.0.1', port: 1 }]);
    } finally {
      raw.kill();
    }
  });
});
