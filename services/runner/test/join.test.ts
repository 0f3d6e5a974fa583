/**
 * Joining a host with a roles token, against a real ZooKeeper: a one-shot token works once, an
 * expired token and roles outside the token are refused, and a refused join writes nothing.
 */
import { parseDocument, paths } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { joinWithToken } from '../src';
import { createToken, hostFacts, refusal } from './helpers';

const zk = useZooKeeper();

const facts = (id: string) => hostFacts(id, 'zone-b');

test('a one-shot token joins once; the token is marked used with the registration', async () => {
  const session = await zk.session();
  const token = await createToken(session, ['allocator', 'proxy']);
  const joined = await joinWithToken(session, facts('j1'), { token, roles: ['allocator'], now: new Date() });
  expect(joined.roles).toEqual(['allocator']);
  const stored = parseDocument('host-registration', (await session.get(paths.host('j1'))).data);
  expect(stored).toMatchObject({ roles: ['allocator'], zone: 'zone-b' });
  const id = token.split('_')[1]!;
  expect(parseDocument('roles-token', (await session.get(paths.rolesToken(id))).data)).toMatchObject({
    used: true,
    used_by: 'j1',
  });

  expect(
    await refusal(joinWithToken(session, facts('j2'), { token, roles: ['allocator'], now: new Date() })),
  ).toBe('WHARF_UNAUTHORIZED: roles token already used');
  expect(await session.exists(paths.host('j2'))).toBeNull();
});

test('a persistent token joins several hosts', async () => {
  const session = await zk.session();
  const token = await createToken(session, ['proxy'], { persistent: true });
  await joinWithToken(session, facts('p1'), { token, roles: ['proxy'], now: new Date() });
  await joinWithToken(session, facts('p2'), { token, roles: ['proxy'], now: new Date() });
  expect(await session.exists(paths.host('p2'))).not.toBeNull();
});

test('expired, forged, unknown tokens and roles outside the token are refused without writes', async () => {
  const session = await zk.session();
  const expired = await createToken(session, ['proxy'], { expiresInMs: -1000 });
  expect(
    await refusal(joinWithToken(session, facts('x1'), { token: expired, roles: ['proxy'], now: new Date() })),
  ).toBe('WHARF_UNAUTHORIZED: roles token expired');
  const token = await createToken(session, ['proxy']);
  expect(
    await refusal(
      joinWithToken(session, facts('x1'), { token, roles: ['proxy', 'coordinator'], now: new Date() }),
    ),
  ).toBe('WHARF_FORBIDDEN: roles not granted by the token: coordinator');
  const forged = token.slice(0, -4) + 'AAAA';
  expect(
    await refusal(joinWithToken(session, facts('x1'), { token: forged, roles: ['proxy'], now: new Date() })),
  ).toBe('WHARF_UNAUTHORIZED: invalid roles token');
  expect(
    await refusal(
      joinWithToken(session, facts('x1'), { token: 'wharf_rnothere_abc', roles: [], now: new Date() }),
    ),
  ).toBe('WHARF_UNAUTHORIZED: unknown roles token');
  expect(
    await refusal(joinWithToken(session, facts('x1'), { token: 'nope', roles: [], now: new Date() })),
  ).toBe('WHARF_UNAUTHORIZED: malformed roles token');
  expect(await session.exists(paths.host('x1'))).toBeNull();
  // The refused attempts did not consume the one-shot token.
  await joinWithToken(session, facts('x1'), { token, roles: ['proxy'], now: new Date() });
});
