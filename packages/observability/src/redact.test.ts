import { REDACTED, isSecretKey, sanitize } from './redact';

describe('isSecretKey', () => {
  it.each(['apiKey', 'api_key', 'API-KEY', 'Authorization', 'password', 'PASSWORD', 'token', 'secret'])(
    'treats %s as a secret',
    (key) => expect(isSecretKey(key)).toBe(true),
  );

  it.each(['accessToken', 'client_secret', 'x-api-key', 'db_password', 'set-cookie'])(
    'treats compound key %s as a secret',
    (key) => expect(isSecretKey(key)).toBe(true),
  );

  it.each(['deployment', 'instance', 'allocator', 'path', 'status'])('leaves %s alone', (key) =>
    expect(isSecretKey(key)).toBe(false),
  );
});

describe('sanitize', () => {
  it('redacts secret keys at the top level, nested, and inside arrays, whatever the case', () => {
    const input = {
      deployment: 'd1',
      ApiKey: 'k-top',
      request: { headers: { AUTHORIZATION: 'Bearer abc', host: 'd1.localhost' }, body: { Password: 'pw' } },
      users: [{ name: 'a', api_key: 'k1' }, { name: 'b', credentials: { token: 't' } }, 'plain'],
    };
    expect(sanitize(input)).toEqual({
      deployment: 'd1',
      ApiKey: REDACTED,
      request: { headers: { AUTHORIZATION: REDACTED, host: 'd1.localhost' }, body: { Password: REDACTED } },
      users: [{ name: 'a', api_key: REDACTED }, { name: 'b', credentials: REDACTED }, 'plain'],
    });
    expect(JSON.stringify(sanitize(input))).not.toMatch(/k-top|abc|pw|k1|"t"/);
  });

  it('does not modify its input', () => {
    const input = { nested: { secret: 's' } };
    sanitize(input);
    expect(input.nested.secret).toBe('s');
  });

  it('serialises errors with name, message, stack, own fields and cause', () => {
    const cause = new Error('connection refused');
    const err = Object.assign(new Error('plan failed', { cause }), { code: 'WHARF_TIMEOUT', token: 'leak' });
    const out = sanitize({ err }).err as Record<string, unknown>;
    expect(out).toMatchObject({
      name: 'Error',
      message: 'plan failed',
      code: 'WHARF_TIMEOUT',
      token: REDACTED,
    });
    expect(out.stack).toEqual(expect.stringContaining('plan failed'));
    expect(out.cause).toMatchObject({
      message: 'connection refused',
      stack: expect.stringContaining('refused'),
    });
    expect(JSON.parse(JSON.stringify(out))).toHaveProperty('stack');
  });

  it('serialises the errors of an AggregateError', () => {
    const out = sanitize({ err: new AggregateError([new Error('one')], 'all failed') }).err;
    expect(out).toMatchObject({ message: 'all failed', errors: [{ message: 'one' }] });
  });

  it('cuts cycles but keeps repeated, non-cyclic references', () => {
    const shared = { zone: 'z1' };
    const cyclic: Record<string, unknown> = { name: 'loop', shared, again: shared };
    cyclic.self = cyclic;
    expect(sanitize({ cyclic })).toEqual({
      cyclic: { name: 'loop', shared: { zone: 'z1' }, again: { zone: 'z1' }, self: '[circular]' },
    });
  });

  it('truncates runaway depth', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i += 1) deep = { deep };
    expect(JSON.stringify(sanitize(deep))).toContain('[truncated]');
  });

  it('leaves values with their own JSON form alone', () => {
    const at = new Date(0);
    expect(sanitize({ at }).at).toBe(at);
  });
});
