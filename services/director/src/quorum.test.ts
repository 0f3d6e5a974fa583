import { parseMntr, parseSrvr, summarizeQuorum } from './quorum';

const srvr = (mode: string, zxid: string): string =>
  `Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.5/9\nReceived: 10\nSent: 9\nConnections: 1\nOutstanding: 0\nZxid: ${zxid}\nMode: ${mode}\nNode count: 7\n`;

test('srvr replies give mode, zxid and latency; garbage or silence is unreachable', () => {
  expect(parseSrvr(srvr('standalone', '0x1A'))).toEqual({ mode: 'standalone', zxid: '0x1a', latencyMs: 0.5 });
  expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n')).toEqual({
    mode: 'unreachable',
  });
  expect(parseSrvr(srvr('chief', '0x1'))).toEqual({ mode: 'unreachable' });
  expect(parseSrvr(null)).toEqual({ mode: 'unreachable' });
});

test('mntr replies give znode count and outstanding requests', () => {
  expect(parseMntr('zk_version\t3.8\nzk_znode_count\t42\nzk_outstanding_requests\t3\n')).toEqual({
    znodeCount: 42,
    outstanding: 3,
  });
  expect(parseMntr('zk_znode_count\t-1\n')).toEqual({});
  expect(parseMntr(null)).toEqual({});
});

test('a standalone server that answers is a healthy quorum', () => {
  const health = summarizeQuorum([{ address: 'a:1', srvr: srvr('standalone', '0x5'), mntr: null }]);
  expect(health).toEqual({
    healthy: true,
    servers: [{ address: 'a:1', mode: 'standalone', zxid: '0x5', zxid_lag: 0, avg_latency_ms: 0.5 }],
  });
});

test('an ensemble needs one leader and a majority of voters; lag is measured from the newest zxid', () => {
  const leader = { address: 'a:1', srvr: srvr('leader', '0x100000010'), mntr: null };
  const follower = { address: 'b:1', srvr: srvr('follower', '0x10000000c'), mntr: null };
  const down = { address: 'c:1', srvr: null, mntr: null };
  const health = summarizeQuorum([leader, follower, down]);
  expect(health.healthy).toBe(true);
  expect(health.servers.map((s) => [s.mode, s.zxid_lag])).toEqual([
    ['leader', 0],
    ['follower', 4],
    ['unreachable', undefined],
  ]);
  expect(summarizeQuorum([leader, down, { ...down, address: 'd:1' }]).healthy).toBe(false);
  expect(summarizeQuorum([follower, follower, down]).healthy).toBe(false);
  expect(summarizeQuorum([down]).healthy).toBe(false);
});
