/**
 * etcd credentials on the command line, against a scripted API on a real port: a create prints
 * the root password it got (once, with a warning), `deployment credentials reset` posts to the
 * reset route and prints the new one; bad ids are refused before any request.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@wharf/testkit';
import { type FakeApi, runAgainst, startFakeApi, storeApiKey } from './fake-api';

jest.setTimeout(20_000);

let api: FakeApi;
let dir: TempDir;

beforeEach(async () => {
  api = await startFakeApi();
  dir = await tempDir('wharf-cli-credentials');
  await writeFile(join(dir.path, 'plan.json'), JSON.stringify({ name: 'orders', resources: { etcd: [] } }));
  await storeApiKey(dir.path);
});

afterEach(async () => {
  await api.close();
  await dir.cleanup();
});

const wharf = (...argv: string[]) => runAgainst(api, dir.path, argv);

describe('wharf deployment credentials', () => {
  it('create prints the root password of each etcd resource, once', async () => {
    api.on('POST', '/deployments', () => ({
      status: 201,
      body: {
        id: 'd1',
        plan_id: 'plan-1',
        resources: [{ kind: 'etcd', ref_id: 'main', credentials: { username: 'root', password: 'pw-1' } }],
      },
    }));
    const res = await wharf('deployment', 'create', '-f', 'plan.json');
    expect(res.code).toBe(0);
    expect(res.out.split('\n')).toEqual([
      'deployment d1 created',
      'etcd main: username root password pw-1',
      expect.stringContaining('shown only once'),
      '',
    ]);
  });

  it('reset posts to the reset route of the ref_id and prints the new password', async () => {
    api.on('POST', '/deployments/d1/etcd/main/credentials/_reset', () => ({
      status: 200,
      body: { username: 'root', password: 'pw-2' },
    }));
    const res = await wharf('deployment', 'credentials', 'reset', 'd1');
    expect(res.code).toBe(0);
    expect(res.out).toContain('etcd main: username root password pw-2');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /deployments/d1/etcd/main/credentials/_reset',
    ]);
    const json = await wharf('deployment', 'credentials', 'reset', 'd1', '--json');
    expect(JSON.parse(json.out)).toEqual({ username: 'root', password: 'pw-2' });
  });

  it('refuses a bad ref_id without calling the API', async () => {
    const res = await wharf('deployment', 'credentials', 'reset', 'd1', '--ref-id', 'Bad_Ref');
    expect(res.code).not.toBe(0);
    expect(res.err).toContain('ref_id');
    expect(api.requests).toEqual([]);
  });
});
