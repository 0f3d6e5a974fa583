import { WharfError } from '@wharf/model';
import { EnsembleFollower } from './ensemble-follower';
import { type ZkLogger } from './logger';
import { compileZkOptions } from './options';
import { type RawClient } from './raw-client';
import { type ZkServerAddress } from './server-list';

/* The follower's decisions with a stand-in client: no socket, each config read answered by hand. */

const GROWN = [1, 2, 3]
  .map((n) => `server.${n}=127.0.0.${n}:2888:3888:participant;127.0.0.${n}:2181`)
  .join('\n');

class FakeClient {
  isConnected = true;
  readonly reads: { resolve: (data: Buffer) => void; reject: (err: unknown) => void }[] = [];
  applied: ZkServerAddress[] | null = null;
  getConfig(watch: boolean): boolean {
    return watch;
  }
  call(): Promise<Buffer> {
    return new Promise((resolve, reject) => this.reads.push({ resolve, reject }));
  }
  setServers(servers: readonly ZkServerAddress[]): boolean {
    this.applied = [...servers];
    return true;
  }
}

function setup(followEnsemble = true): { follower: EnsembleFollower; raw: FakeClient; logs: string[] } {
  const logs: string[] = [];
  const log = (level: string) => (msg: string) => void logs.push(`${level}:${msg}`);
  const logger: ZkLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const raw = new FakeClient();
  const options = compileZkOptions({ connectString: '127.0.0.1:2181', logger, followEnsemble });
  const follower = new EnsembleFollower(options, () => raw as unknown as RawClient);
  return { follower, raw, logs };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('EnsembleFollower', () => {
  test('a grown membership becomes the live client’s list and the next client’s', async () => {
    const { follower, raw, logs } = setup();
    follower.onConnected();
    raw.reads[0]!.resolve(Buffer.from(GROWN));
    await settle();
    const expected = ['127.0.0.1:2181', '127.0.0.2:2181', '127.0.0.3:2181'];
    expect(raw.applied?.map((s) => `${s.host}:${s.port}`).sort()).toEqual(expected);
    expect(follower.connectString.split(',').sort()).toEqual(expected);
    expect(logs).toEqual(['info:zookeeper server list changed']);
  });

  test('a change notified during a read is read again once, after it', async () => {
    const { follower, raw } = setup();
    follower.onConnected();
    follower.onNotification('/zookeeper/config');
    follower.onNotification('/zookeeper/config');
    follower.onNotification('/wharf/other'); // not the configuration
    await settle();
    expect(raw.reads).toHaveLength(1);
    raw.reads[0]!.resolve(Buffer.from(''));
    await settle();
    expect(raw.reads).toHaveLength(2);
  });

  test('unreadable or empty configurations keep the list and are logged once, at debug', async () => {
    const { follower, raw, logs } = setup();
    for (let i = 0; i < 3; i++) {
      follower.onConnected();
      raw.reads[i]!.reject(new WharfError('WHARF_ZK_NO_AUTH', 'refused'));
      await settle();
    }
    follower.onConnected();
    raw.reads[3]!.resolve(Buffer.from('garbage'));
    await settle();
    expect(raw.applied).toBeNull();
    expect(follower.connectString).toBe('127.0.0.1:2181');
    expect(logs).toEqual(['debug:zookeeper ensemble config not followed']);
  });

  test('followEnsemble: false never reads', async () => {
    const { follower, raw } = setup(false);
    follower.onConnected();
    follower.onNotification('/zookeeper/config');
    await settle();
    expect(raw.reads).toHaveLength(0);
  });
});
