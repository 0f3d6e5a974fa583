import { SessionStateMachine } from './session-state';
import { type ZkStateChange } from './types';

interface Logged {
  level: string;
  msg: string;
}

function machine(): { m: SessionStateMachine; events: string[]; logs: Logged[] } {
  const logs: Logged[] = [];
  const log = (level: string) => (msg: string) => logs.push({ level, msg });
  const m = new SessionStateMachine(
    { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    () => 'abc',
  );
  const events: string[] = [];
  m.on('stateChange', (c: ZkStateChange) => events.push(`${c.event}${c.newSession ? '+new' : ''}`));
  return { m, events, logs };
}

describe('SessionStateMachine', () => {
  test('Curator-style events, each transition once', () => {
    const { m, events, logs } = machine();
    m.begin();
    expect(m.state).toBe('connecting');
    m.connected(true, 3000);
    m.connected(false, 3000); // duplicate: ignored
    expect(m.suspend('disconnected')).toBe(true);
    expect(m.suspend('stalled')).toBe(false);
    m.connected(false, 3000);
    expect(m.lose('expired')).toBe(true); // connected → suspended → lost
    expect(m.lose('again')).toBe(false);
    m.connected(true, 2000);
    m.close();
    m.close();
    expect(events).toEqual([
      'connected+new',
      'suspended',
      'reconnected',
      'suspended',
      'lost',
      'reconnected+new',
      'closed',
    ]);
    expect(m.negotiatedTimeoutMs).toBe(2000);
    expect(logs.filter((l) => l.msg === 'zookeeper connection suspended')).toHaveLength(2);
    expect(logs.filter((l) => l.msg === 'zookeeper session lost').map((l) => l.level)).toEqual(['error']);
  });

  test('waitConnected resolves on connect, on timeout and on close', async () => {
    const { m } = machine();
    m.begin();
    const early = m.waitConnected(1000);
    m.connected(true, 1000);
    await expect(early).resolves.toBe(true);
    await expect(m.waitConnected(10)).resolves.toBe(true);
    m.suspend('x');
    await expect(m.waitConnected(10)).resolves.toBe(false);
    const pending = m.waitConnected(10_000);
    m.close();
    await expect(pending).resolves.toBe(false);
  });

  test('a throwing listener does not break the machine', () => {
    const { m, events } = machine();
    m.on('connected', () => {
      throw new Error('listener bug');
    });
    m.begin();
    m.connected(true, 1000);
    expect(m.state).toBe('connected');
    expect(events).toEqual(['connected+new']);
  });
});
