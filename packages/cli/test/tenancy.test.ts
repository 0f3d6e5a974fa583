/**
 * `wharf org …` and `wharf billing export` against a scripted API on a real port: the requests
 * sent (paths, query, body, key), what is printed or written, and bad flags refused before any
 * request.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@wharf/testkit';
import { type FakeApi, runAgainst, startFakeApi, storeApiKey } from './fake-api';

jest.setTimeout(20_000);

let api: FakeApi;
let dir: TempDir;

beforeEach(async () => {
  api = await startFakeApi();
  dir = await tempDir('wharf-cli-tenancy');
  await storeApiKey(dir.path);
});

afterEach(async () => {
  await api.close();
  await dir.cleanup();
});

/** Runs the CLI in-process against the fake API, in the temp directory. */
const wharf = (...argv: string[]) => runAgainst(api, dir.path, argv);

const ACME = {
  id: 'acme',
  name: 'Acme Corp',
  created: '2026-12-01T00:00:00.000Z',
  quotas: { memory_mb: 4096 },
  usage: { memory_mb: 1024, deployments: 2 },
};

describe('wharf org', () => {
  it('create posts id, name and quotas with the stored key', async () => {
    api.on('POST', '/organizations', (req) => ({ status: 201, body: req.body }));
    const res = await wharf(
      'org',
      'create',
      'acme',
      '--name',
      'Acme Corp',
      '--memory-mb',
      '4096',
      '--deployments',
      '3',
    );
    expect(res).toEqual({ code: 0, out: 'organization acme created\n', err: '' });
    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: '/organizations',
        query: {},
        authorization: 'ApiKey key-from-file',
        body: { id: 'acme', name: 'Acme Corp', quotas: { memory_mb: 4096, deployments: 3 } },
      },
    ]);
  });

  it('list prints a table; show prints usage against quotas', async () => {
    api.on('GET', '/organizations', () => ({
      status: 200,
      body: { organizations: [ACME, { id: 'beta', name: 'Beta', quotas: {} }] },
    }));
    api.on('GET', '/organizations/acme', () => ({ status: 200, body: ACME }));
    const list = await wharf('org', 'list');
    expect(list.code).toBe(0);
    expect(list.out.split('\n')).toEqual([
      'ID    NAME       MEMORY_MB QUOTA  DEPLOYMENTS QUOTA',
      'acme  Acme Corp  4096             unlimited',
      'beta  Beta       unlimited        unlimited',
      '',
    ]);
    const show = await wharf('org', 'show', 'acme');
    expect(show.out).toBe(
      'organization acme: Acme Corp\n  created      2026-12-01T00:00:00.000Z\n' +
        '  memory_mb    1024 of 4096\n  deployments  2 of unlimited\n',
    );
    expect(JSON.parse((await wharf('org', 'show', 'acme', '--json')).out)).toEqual(ACME);
  });

  it('quotas set replaces the whole set; delete names the organization; api errors are printed', async () => {
    api.on('PUT', '/organizations/acme/quotas', (req) => ({
      status: 200,
      body: { ...ACME, quotas: req.body },
    }));
    api.on('DELETE', '/organizations/acme', () => ({
      status: 409,
      body: {
        error: {
          code: 'WHARF_IN_USE',
          message: 'organization acme owns 2 deployments',
          details: [{ path: 'id', message: 'delete its deployments first' }],
        },
      },
    }));
    const set = await wharf('org', 'quotas', 'set', 'acme', '--deployments', '5');
    expect(set.code).toBe(0);
    expect(api.requests[0]).toMatchObject({ method: 'PUT', body: { deployments: 5 } });
    expect(set.out).toContain('memory_mb    1024 of unlimited');
    const del = await wharf('org', 'delete', 'acme');
    expect(del).toEqual({
      code: 1,
      out: '',
      err: 'error WHARF_IN_USE: organization acme owns 2 deployments\n  id: delete its deployments first\n',
    });
  });

  it('refuses a bad id or quota before any request', async () => {
    const badId = await wharf('org', 'show', '../acme');
    expect(badId.code).toBe(1);
    expect(badId.err).toContain('WHARF_INVALID_ID');
    const badQuota = await wharf('org', 'quotas', 'set', 'acme', '--memory-mb', '-1');
    expect(badQuota.code).toBe(1);
    expect(badQuota.err).toContain('--memory-mb');
    expect(api.requests).toEqual([]);
  });
});

describe('wharf billing export', () => {
  const CSV =
    'deployment_id,organization_id,stack,instance_hours,memory_gb_hours,amount_micros,currency\n' +
    'd1,acme,etcd,1.500000,1.500000,25500,EUR\ntotal,,,,,25500,EUR\n';

  it('asks for csv with from, to and organization, and prints the api text as is', async () => {
    api.on('GET', '/billing/usage', () => ({ status: 200, text: CSV, contentType: 'text/csv' }));
    const res = await wharf(
      'billing',
      'export',
      '--from',
      '2026-12-01T00:00:00Z',
      '--to',
      '2026-12-02T00:00:00Z',
      '--organization',
      'acme',
    );
    expect(res).toEqual({ code: 0, out: CSV, err: '' });
    expect(api.requests[0]!.query).toEqual({
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-02T00:00:00Z',
      organization: 'acme',
      format: 'csv',
    });
  });

  it('writes json to --out, privately, and says where on stderr', async () => {
    const body = { from: 'a', to: 'b', currency: 'EUR', items: [], total_micros: '0' };
    api.on('GET', '/billing/usage', () => ({ status: 200, body }));
    const res = await wharf(
      'billing',
      'export',
      '--from',
      'a',
      '--to',
      'b',
      '--format',
      'json',
      '--out',
      'usage.json',
    );
    expect(res.code).toBe(0);
    expect(res.out).toBe('');
    expect(res.err).toContain(join(dir.path, 'usage.json'));
    expect(api.requests[0]!.query.format).toBe('json');
    expect(JSON.parse(await readFile(join(dir.path, 'usage.json'), 'utf8'))).toEqual(body);
    expect((await stat(join(dir.path, 'usage.json'))).mode & 0o777).toBe(0o600);
  });

  it('refuses an unknown format before any request and prints the api 400 naming the field', async () => {
    const bad = await wharf('billing', 'export', '--from', 'a', '--to', 'b', '--format', 'xml');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--format');
    expect(api.requests).toEqual([]);
    api.on('GET', '/billing/usage', () => ({
      status: 400,
      body: {
        error: {
          code: 'WHARF_VALIDATION',
          message: 'invalid request: from: must be before to',
          details: [{ path: 'from', message: 'must be before to' }],
        },
      },
    }));
    const late = await wharf(
      'billing',
      'export',
      '--from',
      '2026-12-03T00:00:00Z',
      '--to',
      '2026-12-02T00:00:00Z',
    );
    expect(late.code).toBe(1);
    expect(late.err).toContain('from: must be before to');
    const missing = await wharf('billing', 'export', '--from', '2026-12-03T00:00:00Z');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("required option '--to <time>' not specified");
  });
});

describe('wharf events --dead-letters', () => {
  const letter = {
    target_id: 'ops',
    seq: 9,
    attempts: 8,
    last_error: 'HTTP 500',
    time: '2026-12-06T00:10:00.000Z',
    event: {
      seq: 9,
      time: '2026-12-06T00:00:00.000Z',
      type: 'plan-failed',
      severity: 'warning',
      message: 'x',
    },
  };

  it('lists the dead letters of one target instead of the events', async () => {
    api.on('GET', '/platform/configuration/webhooks/dead-letters', () => ({
      status: 200,
      body: { dead_letters: [letter], count: 1 },
    }));
    const res = await wharf('events', '--dead-letters', '--target', 'ops', '--limit', '5');
    expect(res.code).toBe(0);
    expect(res.out.split('\n')).toEqual([
      'GIVEN UP                  TARGET  SEQ  TYPE         ATTEMPTS  LAST ERROR',
      '2026-12-06T00:10:00.000Z  ops     9    plan-failed  8         HTTP 500',
      '',
    ]);
    expect(api.requests.map((r) => [r.path, r.query])).toEqual([
      ['/platform/configuration/webhooks/dead-letters', { target: 'ops', limit: '5' }],
    ]);
  });

  it('refuses --target without --dead-letters and --type with it, before any request', async () => {
    expect((await wharf('events', '--target', 'ops')).err).toContain('--target');
    expect((await wharf('events', '--dead-letters', '--type', 'plan-failed')).err).toContain('--type');
    expect(api.requests).toEqual([]);
  });
});
