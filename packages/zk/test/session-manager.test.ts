import { recordingLogger, useZooKeeper, waitFor } from '@wharf/testkit';
import { expireSession, type ZkConnectionEvent, type ZkSession, type ZkStateChange } from '@wharf/zk';

const zk = useZooKeeper();

function recordEvents(session: ZkSession): ZkStateChange[] {
  const events: ZkStateChange[] = [];
  session.onStateChange((change) => events.push(change));
  return events;
}

function names(events: ZkStateChange[]): ZkConnectionEvent[] {
  return events.map((e) => e.event);
}

describe('session manager', () => {
  test('a frozen server is reported suspended within 2/3 of the session timeout, then reconnected', async () => {
    const logger = recordingLogger();
    const s = await zk.session({ sessionTimeoutMs: 3000, operationTimeoutMs: 300, logger });
    const events = recordEvents(s);
    const frozenAt = Date.now();
    await zk.zk.freeze();
    try {
      await waitFor(() => s.state === 'suspended', { timeoutMs: 4000, message: 'suspended' });
      const detectedAfter = Date.now() - frozenAt;
      // 2/3 × 3000 = 2000 ms plus one watchdog tick; the library alone would wait forever.
      expect(detectedAfter).toBeLessThan(2800);
      expect(detectedAfter).toBeGreaterThanOrEqual(1000);
      // Operations fail (bounded) instead of hanging.
      await expect(s.get('/', undefined)).rejects.toMatchObject({ code: 'WHARF_ZK_CONNECTION_LOSS' });
    } finally {
      zk.zk.thaw();
    }
    await waitFor(() => s.state === 'connected', { timeoutMs: 6000, message: 'reconnected' });
    expect(names(events)).toContain('suspended');
    expect(names(events).at(-1)).toBe('reconnected');
    expect(logger.messages('zookeeper connection suspended')).toHaveLength(1);
    await s.create('/after-thaw');
  }, 15_000);

  test('ephemeral registrations come back after session expiry', async () => {
    const s = await zk.session();
    const observer = await zk.session();
    const events = recordEvents(s);
    const reg = await s.registerEphemeral('/allocators/a1/live', '{"v":1}');
    const before = await observer.exists('/allocators/a1/live');
    expect(before?.ephemeralOwner).toBe(s.sessionId);
    const oldSession = s.sessionId;

    await expireSession(s);
    await waitFor(async () => (await observer.exists('/allocators/a1/live'))?.ephemeralOwner !== oldSession, {
      message: 'old ephemeral gone or replaced',
    });
    const after = await waitFor(() => observer.exists('/allocators/a1/live'), {
      message: 'ephemeral re-created',
    });
    expect(after.ephemeralOwner).toBe(s.sessionId);
    expect(after.ephemeralOwner).not.toBe(oldSession);
    expect(s.sessionCount).toBe(2);
    expect(names(events)).toEqual(expect.arrayContaining(['lost', 'reconnected']));
    // The impostor may first steal the connection (suspended → reconnected, same session).
    expect(events.filter((e) => e.event === 'reconnected').at(-1)?.newSession).toBe(true);
    expect(names(events).indexOf('lost')).toBeLessThan(names(events).lastIndexOf('reconnected'));
    expect((await observer.get('/allocators/a1/live')).data.toString()).toBe('{"v":1}');

    await reg.update('{"v":2}');
    expect((await observer.get('/allocators/a1/live')).data.toString()).toBe('{"v":2}');
    await reg.close();
    expect(await observer.exists('/allocators/a1/live')).toBeNull();
  }, 15_000);

  test('an ephemeral deleted by someone else is re-created', async () => {
    const s = await zk.session();
    const other = await zk.session();
    await s.registerEphemeral('/proxies/p1', 'p1');
    await other.delete('/proxies/p1');
    const stat = await waitFor(() => other.exists('/proxies/p1'), { message: 're-created' });
    expect(stat.ephemeralOwner).toBe(s.sessionId);
  });

  test('a server silent past the session timeout means lost, then a new session', async () => {
    const s = await zk.session({ sessionTimeoutMs: 1500 });
    const reg = await s.registerEphemeral('/hosts/h1/live', 'h1');
    const events = recordEvents(s);
    const first = s.sessionId;
    await zk.zk.freeze();
    try {
      await waitFor(() => s.state === 'lost', { timeoutMs: 4000, message: 'lost' });
    } finally {
      zk.zk.thaw();
    }
    await waitFor(() => s.state === 'connected', { timeoutMs: 8000, message: 'connected again' });
    expect(s.sessionId).not.toBe(first);
    expect(names(events).slice(0, 3)).toEqual(['suspended', 'lost', 'reconnected']);
    await waitFor(() => reg.state === 'registered', { message: 'registration restored' });
    const observer = await zk.session();
    expect((await observer.exists('/hosts/h1/live'))?.ephemeralOwner).toBe(s.sessionId);
  }, 20_000);

  test('watches set through the session fire once per change', async () => {
    const s = await zk.session();
    await s.create('/w', 'a');
    const seen: string[] = [];
    const watcher = (e: { type: string }): void => {
      seen.push(e.type);
    };
    // Re-arming with the same function is deduplicated.
    for (let i = 0; i < 20; i++) await s.get('/w', watcher);
    await s.set('/w', 'b', -1);
    await waitFor(() => seen.length === 1);
    await s.set('/w', 'c', -1); // not re-armed: no event
    await s.exists('/w', watcher);
    await s.delete('/w');
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['dataChanged', 'deleted']);
  });
});
