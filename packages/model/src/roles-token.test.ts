import { randomBytes, scryptSync } from 'node:crypto';
import { checkRolesToken, parseRolesToken } from './roles-token';
import { type RolesToken } from './schemas/hosts';

const SECRET = 'the-secret';
const salt = randomBytes(16);
const record: RolesToken = {
  schema_version: 1,
  id: 'r1',
  hash: `scrypt$1024$8$1$${scryptSync(SECRET, salt, 32, { N: 1024, r: 8, p: 1 }).toString('hex')}`,
  salt: salt.toString('hex'),
  roles: ['proxy', 'allocator'],
  persistent: false,
  created: '2026-01-01T00:00:00.000Z',
};
const now = new Date('2026-06-01T00:00:00.000Z');

const outcome = (r: RolesToken, use: Parameters<typeof checkRolesToken>[2], secret = SECRET) =>
  checkRolesToken(r, secret, use).then(
    () => 'ok',
    (err: { code: string; message: string }) => `${err.code}: ${err.message}`,
  );

test('tokens parse as wharf_<id>_<secret>', () => {
  expect(parseRolesToken('wharf_kabc_SECRET-x_y')).toEqual({ id: 'kabc', secret: 'SECRET-x_y' });
  expect(parseRolesToken('wharf_Bad_x')).toBeUndefined();
});

test('a one-shot token enrols one host once, and only that host may then join with it', async () => {
  const enrol = { roles: ['proxy'] as const, now, hostId: 'h1', purpose: 'enrol' as const };
  expect(await outcome(record, enrol)).toBe('ok');
  expect(await outcome(record, enrol, 'wrong')).toBe('WHARF_UNAUTHORIZED: invalid roles token');
  const enrolled = { ...record, enrolled_by: 'h1' };
  expect(await outcome(enrolled, enrol)).toBe('WHARF_UNAUTHORIZED: roles token already used');
  expect(await outcome(enrolled, { roles: ['proxy'], now, hostId: 'h1' })).toBe('ok');
  expect(await outcome(enrolled, { roles: ['proxy'], now, hostId: 'h2' })).toBe(
    'WHARF_UNAUTHORIZED: roles token already used by another host',
  );
  const joined = { ...record, used: true, used_by: 'h1' };
  expect(await outcome(joined, { roles: ['proxy'], now })).toBe(
    'WHARF_UNAUTHORIZED: roles token already used',
  );
  expect(await outcome(joined, { ...enrol, hostId: 'h2' })).toBe(
    'WHARF_UNAUTHORIZED: roles token already used by another host',
  );
});

test('expiry and roles are checked; a persistent token is never used up', async () => {
  const expired = { ...record, expires: '2026-05-01T00:00:00.000Z' };
  expect(await outcome(expired, { roles: ['proxy'], now })).toBe('WHARF_UNAUTHORIZED: roles token expired');
  expect(await outcome(record, { roles: ['director'], now })).toBe(
    'WHARF_FORBIDDEN: roles not granted by the token: director',
  );
  const persistent = { ...record, persistent: true, used: true, enrolled_by: 'h1' };
  expect(await outcome(persistent, { roles: ['proxy'], now, hostId: 'h9', purpose: 'enrol' })).toBe('ok');
});

test('a revoked token is refused for joining and enrolling, persistent or not', async () => {
  const revoked = { ...record, persistent: true, revoked: '2026-05-01T00:00:00.000Z' };
  expect(await outcome(revoked, { roles: ['proxy'], now })).toBe('WHARF_FORBIDDEN: roles token revoked');
  expect(await outcome(revoked, { roles: ['proxy'], now, purpose: 'enrol' })).toBe(
    'WHARF_FORBIDDEN: roles token revoked',
  );
});
