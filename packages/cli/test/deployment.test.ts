/**
 * `wharf deployment …` against a scripted API on a real port: what is sent (paths, query,
 * key, body), what is printed, and the exit codes of --track.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@wharf/testkit';
import { type FakeApi, runAgainst, sequence, startFakeApi, storeApiKey } from './fake-api';

jest.setTimeout(20_000);

let api: FakeApi;
let dir: TempDir;
const PLAN = { name: 'orders', resources: { etcd: [] } };

beforeEach(async () => {
  api = await startFakeApi();
  dir = await tempDir('wharf-cli-deployment');
  await writeFile(join(dir.path, 'plan.json'), JSON.stringify(PLAN));
  await storeApiKey(dir.path);
});

afterEach(async () => {
  await api.close();
  await dir.cleanup();
});

/** Runs the CLI in-process against the fake API, in the temp directory. */
const wharf = (...argv: string[]) => runAgainst(api, dir.path, argv);

const step = (step_id: string, stage: string, status = 'pending') => ({
  step_id,
  stage,
  status,
  info_log: [],
  duration_in_millis: 5,
});
const attempt = (status: string, log: object[], extra: object = {}) => ({
  plan_attempt_id: 'att-1',
  plan_id: 'plan-1',
  status,
  plan_attempt_log: log,
  ...extra,
});

describe('wharf deployment', () => {
  it('create posts the plan with the stored key and prints the id', async () => {
    api.on('POST', '/deployments', () => ({
      status: 201,
      body: { id: 'd1', plan_id: 'plan-1', endpoint: 'http://d1.localhost:9200' },
    }));
    const res = await wharf('deployment', 'create', '-f', 'plan.json', '--request-id', 'req-1');
    expect(res).toEqual({
      code: 0,
      out: 'deployment d1 created; endpoint http://d1.localhost:9200\n',
      err: '',
    });
    expect(api.requests[0]).toEqual({
      method: 'POST',
      path: '/deployments',
      query: { request_id: 'req-1' },
      authorization: 'ApiKey key-from-file',
      body: PLAN,
    });
  });

  it('create --validate-only asks the API to validate only', async () => {
    api.on('POST', '/deployments', () => ({ status: 200, body: { valid: true } }));
    expect((await wharf('deployment', 'create', '-f', 'plan.json', '--validate-only')).out).toBe(
      'the plan is valid\n',
    );
    expect(api.requests[0]!.query).toEqual({ validate_only: 'true' });
  });

  it('create --track prints each step once and exits 0 on success', async () => {
    api.on('POST', '/deployments', () => ({ status: 201, body: { id: 'd1', plan_id: 'plan-1' } }));
    api.on(
      'GET',
      '/deployments/d1/plan/activity',
      sequence(
        { status: 200, body: { attempts: [] } },
        {
          status: 200,
          body: { attempts: [attempt('running', [step('validate-plan-safety', 'in_progress')])] },
        },
        {
          status: 200,
          body: { attempts: [attempt('running', [step('validate-plan-safety', 'in_progress')])] },
        },
        {
          status: 200,
          body: {
            attempts: [
              attempt('success', [
                step('validate-plan-safety', 'completed', 'success'),
                step('plan-completed', 'completed', 'success'),
              ]),
            ],
          },
        },
      ),
    );
    const res = await wharf('deployment', 'create', '-f', 'plan.json', '--track');
    expect(res.code).toBe(0);
    expect(res.out.split('\n')).toEqual([
      'deployment d1 created',
      'plan attempt att-1',
      '  validate-plan-safety: started',
      '  validate-plan-safety: success in 5ms',
      '  plan-completed: success in 5ms',
      'plan completed: success',
      '',
    ]);
  });

  it('create --track exits 1 and prints the failure type when the plan fails', async () => {
    api.on('POST', '/deployments', () => ({ status: 201, body: { id: 'd1', plan_id: 'plan-1' } }));
    api.on('GET', '/deployments/d1/plan/activity', () => ({
      status: 200,
      body: {
        attempts: [
          attempt('error', [step('allocate-instances', 'completed', 'error')], {
            error: { failure_type: 'ClusterFailure:NoCapacity', message: 'no allocator fits 1000000 MB' },
          }),
        ],
      },
    }));
    const res = await wharf('deployment', 'create', '-f', 'plan.json', '--track');
    expect(res.code).toBe(1);
    expect(res.out).toContain('plan failed: ClusterFailure:NoCapacity: no allocator fits 1000000 MB');
  });

  it('prints API errors as `error CODE: message` with detail paths and exits 1', async () => {
    api.on('POST', '/deployments', () => ({
      status: 400,
      body: {
        error: {
          code: 'WHARF_VALIDATION',
          message: 'request body is invalid',
          details: [{ path: 'resources.etcd', message: 'must NOT have fewer than 1 items' }],
        },
      },
    }));
    const res = await wharf('deployment', 'create', '-f', 'plan.json');
    expect(res).toEqual({
      code: 1,
      out: '',
      err: 'error WHARF_VALIDATION: request body is invalid\n  resources.etcd: must NOT have fewer than 1 items\n',
    });
  });

  it('refuses a plan file that is not JSON before calling the API', async () => {
    await writeFile(join(dir.path, 'bad.json'), '{ nope');
    const res = await wharf('deployment', 'create', '-f', 'bad.json');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^error WHARF_BAD_REQUEST: bad.json is not JSON/);
    expect(api.requests).toEqual([]);
  });

  it('update sends ?version and --track follows only the new attempt', async () => {
    const previous = {
      ...attempt('success', [step('plan-completed', 'completed', 'success')]),
      plan_attempt_id: 'att-0',
      plan_id: 'plan-0',
    };
    api.on(
      'GET',
      '/deployments/d1/plan/activity',
      sequence(
        { status: 200, body: { attempts: [previous] } },
        { status: 200, body: { attempts: [previous] } },
        {
          status: 200,
          body: {
            attempts: [{ ...attempt('success', []), plan_id: 'plan-2', plan_attempt_id: 'att-2' }, previous],
          },
        },
      ),
    );
    api.on('PUT', '/deployments/d1', () => ({ status: 202, body: { id: 'd1', plan_id: 'plan-2' } }));
    const res = await wharf('deployment', 'update', 'd1', '-f', 'plan.json', '--version', '4', '--track');
    expect(res.code).toBe(0);
    expect(res.out).toBe('deployment d1: plan accepted\nplan attempt att-2\nplan completed: success\n');
    expect(api.requests.find((r) => r.method === 'PUT')!.query).toEqual({ version: '4' });
  });

  it('delete --track ends when the deployment is gone', async () => {
    api.on(
      'GET',
      '/deployments/d1/plan/activity',
      sequence({ status: 200, body: { attempts: [] } }, { status: 404 }),
    );
    api.on('DELETE', '/deployments/d1', () => ({
      status: 202,
      body: { id: 'd1', deleting: true, plan_id: 'plan-9' },
    }));
    api.on('GET', '/deployments/d1', () => ({ status: 404, body: { error: { code: 'WHARF_NOT_FOUND' } } }));
    const res = await wharf('deployment', 'delete', 'd1', '--track');
    expect(res).toMatchObject({ code: 0, out: 'deployment d1: deleting\ndeployment d1 deleted\n' });
  });

  it('delete --track waits past the shutdown success until the deployment is gone', async () => {
    api.on(
      'GET',
      '/deployments/d1/plan/activity',
      sequence(
        { status: 200, body: { attempts: [] } },
        { status: 200, body: { attempts: [attempt('success', [], { plan_id: 'plan-9' })] } },
        { status: 200, body: { attempts: [attempt('success', [], { plan_id: 'plan-9' })] } },
        { status: 404 },
      ),
    );
    api.on('DELETE', '/deployments/d1', () => ({
      status: 202,
      body: { id: 'd1', deleting: true, plan_id: 'plan-9' },
    }));
    api.on('GET', '/deployments/d1', () => ({ status: 404, body: { error: { code: 'WHARF_NOT_FOUND' } } }));
    const res = await wharf('deployment', 'delete', 'd1', '--track');
    expect(res).toMatchObject({
      code: 0,
      out: 'deployment d1: deleting\nplan attempt att-1\nplan completed: success\ndeployment d1 deleted\n',
    });
    expect(api.requests.filter((r) => r.path === '/deployments/d1/plan/activity')).toHaveLength(4);
  });

  it('activity prints the newest attempt step by step', async () => {
    api.on('GET', '/deployments/d1/plan/activity', () => ({
      status: 200,
      body: {
        attempts: [
          attempt('running', [
            { ...step('validate-plan', 'completed', 'success'), duration_in_millis: 1500 },
            step('start-instances', 'in_progress'),
          ]),
        ],
      },
    }));
    const res = await wharf('deployment', 'activity', 'd1');
    expect(res.code).toBe(0);
    expect(res.out).toBe(
      [
        'plan attempt att-1 (plan plan-1)',
        '  STEP             STATUS   DURATION',
        '  validate-plan    success  1.5s',
        '  start-instances  running  5ms',
        'attempt running',
        '',
      ].join('\n'),
    );
    expect(api.requests.at(-1)!.query).toEqual({ size: '1' });
    expect((await wharf('deployment', 'activity', '../etc')).code).toBe(1);
  });

  it('list prints a table, --json the API answer', async () => {
    const body = {
      deployments: [{ id: 'd1', name: 'orders', status: 'running', created: '2025-01-01T00:00:00Z' }],
      total: 1,
    };
    api.on('GET', '/deployments', () => ({ status: 200, body }));
    expect((await wharf('deployment', 'list')).out).toBe(
      'ID  NAME    STATUS   CREATED\nd1  orders  running  2025-01-01T00:00:00Z\n',
    );
    expect(JSON.parse((await wharf('deployment', 'list', '--json')).out)).toEqual(body);
  });

  it('list passes the filters to the API; --all follows next_cursor to the last page', async () => {
    const row = (id: string) => ({ id, name: id, status: 'running', created: '2025-01-01T00:00:00Z' });
    api.on('GET', '/deployments', (req) =>
      req.query.cursor === undefined
        ? { status: 200, body: { deployments: [row('d1'), row('d2')], total: 3, next_cursor: 'c1' } }
        : { status: 200, body: { deployments: [row('d3')], total: 3, next_cursor: null } },
    );
    const one = await wharf(
      'deployment',
      'list',
      '--stack',
      'etcd',
      '--status',
      'running',
      '--name-prefix',
      'd',
    );
    expect(one.out).toContain('(2 of 3; --all lists every one)');
    expect(api.requests[0]!.query).toEqual({ stack: 'etcd', status: 'running', name_prefix: 'd' });
    const all = await wharf('deployment', 'list', '--all', '--allocator', 'a1', '--json');
    expect(JSON.parse(all.out)).toEqual({ deployments: [row('d1'), row('d2'), row('d3')], total: 3 });
    expect(api.requests.slice(1).map((r) => r.query)).toEqual([
      { allocator: 'a1', size: '1000' },
      { allocator: 'a1', size: '1000', cursor: 'c1' },
    ]);
    expect((await wharf('deployment', 'list', '--size', '5000')).code).toBe(1);
  });

  it('show prints the deployment as JSON; plan cancel deletes the pending plan', async () => {
    api.on('GET', '/deployments/d1', () => ({ status: 200, body: { id: 'd1', instances: [] } }));
    api.on('DELETE', '/deployments/d1/plan/pending', () => ({
      status: 200,
      body: { id: 'd1', cancelled: true },
    }));
    expect(JSON.parse((await wharf('deployment', 'show', 'd1')).out)).toEqual({ id: 'd1', instances: [] });
    expect((await wharf('deployment', 'plan', 'cancel', 'd1')).out).toBe(
      'deployment d1: pending plan cancelled\n',
    );
  });

  it('validates ids before they become URL paths', async () => {
    const res = await wharf('deployment', 'show', '../platform');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^error WHARF_INVALID_ID: invalid deployment id/);
    expect(api.requests).toEqual([]);
  });

  it('prefers --api-key and WHARF_API_KEY over the key file', async () => {
    api.on('GET', '/deployments', () => ({ status: 200, body: { deployments: [] } }));
    await wharf('deployment', 'list', '--api-key', 'flag-key');
    expect(api.requests[0]!.authorization).toBe('ApiKey flag-key');
  });
});
