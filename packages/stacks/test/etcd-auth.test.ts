/**
 * etcd authentication through the pack against a real etcd: turning it on (idempotent, also
 * after an interrupted run), the hooks and snapshots authenticating as the platform user, a
 * root password reset, and a cluster with authentication off still served with credentials set
 * (deployments created before credentials existed). Also the platform secret file.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EtcdAuthSession,
  etcdCall,
  etcdGet,
  etcdPut,
  getStackPack,
  initialRootPassword,
  loadPlatformSecret,
  platformSecretFile,
  platformStackCredentials,
  type MemberEndpoint,
  waitForHealthy,
} from '../src';
import { tempDir, useEtcdMembers } from './helpers';

jest.setTimeout(60_000);

const DEPLOYMENT = 'authtest';
const pack = getStackPack('etcd');
const secret = 'a-test-platform-secret';
const platform = platformStackCredentials(secret, DEPLOYMENT);
const options = { credentials: platform, timeoutMs: 20_000 };

/** etcd's error text for `call`, or '' when it succeeded. */
const refusal = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => '',
    (err: { details?: { etcdError?: string } }) => err.details?.etcdError ?? String(err),
  );

describe('etcd authentication through the etcd pack', () => {
  const etcd = useEtcdMembers(DEPLOYMENT, 'etcd-auth');
  let member: MemberEndpoint;
  const session = (password: string) => new EtcdAuthSession({ username: 'root', password });

  beforeAll(async () => {
    [member] = (await etcd.endpoints(1)) as [MemberEndpoint];
    await etcd.start(
      member,
      pack.bootstrap({ deploymentId: DEPLOYMENT, nonce: `n${Date.now()}`, members: [member] }),
    );
    await waitForHealthy(pack, member, { timeoutMs: 20_000 });
  });

  it('serves a cluster with authentication off when credentials are set (older deployments)', async () => {
    await etcdPut(member, 'open', 'yes', { auth: new EtcdAuthSession(platform) });
    expect(await etcdGet(member, 'open')).toBe('yes');
  });

  it('turns authentication on after an interrupted run; requests without a token are refused', async () => {
    // An earlier run stopped half-way: root exists with another password, nothing granted.
    await etcdCall(member, '/v3/auth/user/add', { name: 'root', password: 'left-over' });
    const root = initialRootPassword(secret, DEPLOYMENT, 'main', 'plan-1');
    await pack.enableAuth!([member], root, options);
    expect(await refusal(etcdPut(member, 'k', 'v'))).toContain('user name is empty');
    await etcdPut(member, 'k', 'v', { auth: session(root) });
    expect(await etcdGet(member, 'k', { auth: new EtcdAuthSession(platform) })).toBe('v');
    // Once on, a second run changes nothing (root keeps its password).
    await pack.enableAuth!([member], 'another-password', options);
    expect(await etcdGet(member, 'k', { auth: session(root) })).toBe('v');
  });

  it('snapshots and restores with the platform credentials, not without', async () => {
    const dir = await tempDir('etcd-auth-snap');
    try {
      expect(await refusal(pack.snapshot(member, join(dir.path, 'no.db')))).not.toBe('');
      const taken = await pack.snapshot(member, join(dir.path, 'yes.db'), options);
      expect(taken.bytes).toBeGreaterThan(0);
      const auth = new EtcdAuthSession(platform);
      await etcdPut(member, 'k', 'changed', { auth });
      expect(await refusal(pack.restore(taken.file, [member], { replace: true }))).not.toBe('');
      await pack.restore(taken.file, [member], { ...options, replace: true });
      expect(await etcdGet(member, 'k', { auth })).toBe('v');
    } finally {
      await dir.cleanup();
    }
  });

  it('resets root: the old password is refused, the new one works', async () => {
    const old = initialRootPassword(secret, DEPLOYMENT, 'main', 'plan-1');
    await pack.setRootPassword!([member], 'the-new-password', options);
    expect(await refusal(etcdGet(member, 'k', { auth: session(old) }))).toContain('authentication failed');
    expect(await etcdGet(member, 'k', { auth: session('the-new-password') })).toBe('v');
  });
});

describe('the platform secret', () => {
  it('is created once, owner-only, and read back by the next service', async () => {
    const home = await tempDir('platform-secret');
    try {
      const [a, b] = await Promise.all([loadPlatformSecret(home.path), loadPlatformSecret(home.path)]);
      expect(a).toMatch(/^[0-9a-f]{64}$/);
      expect(b).toBe(a);
      expect((await stat(platformSecretFile(home.path))).mode & 0o777).toBe(0o600);
      expect(platformStackCredentials(a, 'd1').password).not.toBe(platformStackCredentials(a, 'd2').password);
    } finally {
      await home.cleanup();
    }
  });
});
