import { type ApiKeyRecord } from '@wharf/model';
import {
  MAX_KEY_TTL_SECONDS,
  apiKeyView,
  expiryOf,
  isExpired,
  parseApiKeyRequest,
  revocationBlocker,
} from './api-keys';

const record = (id: string, expires?: string, roles = ['admin']): ApiKeyRecord => ({
  schema_version: 1,
  id,
  name: `key ${id}`,
  hash: 'scrypt$1$1$1$00',
  salt: '00',
  created: '2026-01-01T00:00:00.000Z',
  roles,
  ...(expires === undefined ? {} : { expires }),
});

const issuePaths = (body: Record<string, unknown>): string[] => {
  try {
    parseApiKeyRequest(body);
    return [];
  } catch (err) {
    return (err as { details: Array<{ path: string }> }).details.map((d) => d.path);
  }
};

describe('API key requests', () => {
  it('accepts a description and an optional lifetime', () => {
    expect(parseApiKeyRequest({ description: 'ci' })).toEqual({
      description: 'ci',
      expiresInSeconds: undefined,
      roles: ['platform-admin'],
    });
    expect(parseApiKeyRequest({ description: 'ci', expires_in_seconds: 60, roles: ['viewer'] })).toEqual({
      description: 'ci',
      expiresInSeconds: 60,
      roles: ['viewer'],
    });
  });

  it.each<[Record<string, unknown>, string[]]>([
    [{}, ['description']],
    [{ description: 42 }, ['description']],
    [{ description: '  ' }, ['description']],
    [{ description: 'x'.repeat(129) }, ['description']],
    [{ description: 'bell\u0007' }, ['description']],
    [{ description: 'ci', expires_in_seconds: 0 }, ['expires_in_seconds']],
    [{ description: 'ci', expires_in_seconds: 1.5 }, ['expires_in_seconds']],
    [{ description: 'ci', expires_in_seconds: '60' }, ['expires_in_seconds']],
    [{ description: 'ci', expires_in_seconds: MAX_KEY_TTL_SECONDS + 1 }, ['expires_in_seconds']],
    [{ description: 'ci', key: 'mine', hash: 'x' }, ['key', 'hash']],
    [{ description: 'ci', roles: ['root'] }, ['roles[0]']],
    [{ description: 'ci', roles: 'viewer' }, ['roles']],
    [{ description: 'ci', roles: [] }, ['roles']],
    [{ description: 'ci', roles: ['viewer', 'platform-admin'] }, ['roles']],
  ])('refuses %j naming %j', (body, paths) => {
    expect(issuePaths(body)).toEqual(paths);
  });

  it('computes expiry instants and tells expired keys', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(expiryOf({ description: 'x', expiresInSeconds: 90, roles: [] }, now)).toBe(
      '2026-01-01T00:01:30.000Z',
    );
    expect(expiryOf({ description: 'x', expiresInSeconds: undefined, roles: [] }, now)).toBeUndefined();
    const at = Date.parse('2026-01-01T00:01:30.000Z');
    expect(isExpired({ expires: '2026-01-01T00:01:30.000Z' }, at - 1)).toBe(false);
    expect(isExpired({ expires: '2026-01-01T00:01:30.000Z' }, at)).toBe(true);
    expect(isExpired({}, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it('shows a key without its hash or salt', () => {
    const view = apiKeyView(record('k1', '2026-01-02T00:00:00.000Z'), Date.parse('2026-01-03T00:00:00Z'));
    expect(view).toEqual({
      id: 'k1',
      description: 'key k1',
      created: '2026-01-01T00:00:00.000Z',
      expires: '2026-01-02T00:00:00.000Z',
      expired: true,
      roles: ['platform-admin'],
    });
  });
});

describe('the lock-out rule', () => {
  const soon = '2030-01-01T00:00:00.000Z';

  it('refuses to delete the last key', () => {
    expect(revocationBlocker('k1', record('k1'), [])?.code).toBe('WHARF_CONFLICT');
    expect(revocationBlocker('k1', record('k1', soon), [])?.details).toEqual([
      { path: 'id', message: expect.stringContaining('last platform-admin API key') },
    ]);
  });

  it('refuses to delete the last key that never expires', () => {
    expect(revocationBlocker('k1', record('k1'), [record('k2', soon)])?.message).toContain('never expires');
  });

  it('allows deleting a key while a key that never expires remains', () => {
    expect(revocationBlocker('k1', record('k1'), [record('k2')])).toBeUndefined();
    expect(revocationBlocker('k1', record('k1', soon), [record('k2')])).toBeUndefined();
    expect(revocationBlocker('k1', record('k1', soon), [record('k2', soon)])).toBeUndefined();
    expect(revocationBlocker('k1', undefined, [record('k2')])).toBeUndefined();
  });

  it('counts only platform-admin keys, and never blocks deleting a weaker key', () => {
    const viewer = record('k2', undefined, ['viewer']);
    expect(revocationBlocker('k1', record('k1'), [viewer])?.code).toBe('WHARF_CONFLICT');
    expect(revocationBlocker('k2', viewer, [])).toBeUndefined();
    expect(
      revocationBlocker('k1', record('k1'), [record('k3', undefined, ['platform-admin'])]),
    ).toBeUndefined();
  });
});
