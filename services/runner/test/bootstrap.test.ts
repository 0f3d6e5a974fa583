/**
 * The first host of a new installation, against a real ZooKeeper: it registers itself with its
 * bootstrap roles once; any later bootstrap (another host, or racing ones) is refused and writes
 * nothing; a registered host keeps its roles; an installation that already has a coordinator
 * (`wharf up` seeds its hosts without the marker) refuses bootstraps too.
 */
import { isWharfError, parseDocument, paths, serializeDocument } from '@wharf/model';
import { useZooKeeper } from '@wharf/testkit';
import { bootstrapHost } from '../src';
import { hostFacts, refusal } from './helpers';

const zk = useZooKeeper();

const facts = (id: string) => hostFacts(id, 'zone-a');

test('the first host bootstraps once; a second host is refused and writes nothing', async () => {
  const session = await zk.session();
  const first = await bootstrapHost(session, facts('first'), ['coordinator', 'proxy', 'allocator']);
  expect(first.bootstrapped).toBe(true);
  expect(parseDocument('host-registration', (await session.get(paths.host('first'))).data).roles).toEqual([
    'coordinator',
    'proxy',
    'allocator',
  ]);
  expect(JSON.parse((await session.get(paths.bootstrap())).data.toString())).toMatchObject({ host: 'first' });

  expect(await refusal(bootstrapHost(session, facts('second'), ['coordinator']))).toMatch(
    /^WHARF_CONFLICT: /,
  );
  expect(await session.exists(paths.host('second'))).toBeNull();

  // The first host restarting with the flag still set keeps the roles it has now.
  const again = await bootstrapHost(session, { ...facts('first'), zone: 'zone-b' }, ['allocator']);
  expect(again.bootstrapped).toBe(false);
  expect(again.registration).toMatchObject({ zone: 'zone-b', roles: ['coordinator', 'proxy', 'allocator'] });
});

test('of two hosts bootstrapping at once, exactly one succeeds', async () => {
  const session = await zk.session();
  const results = await Promise.allSettled([
    bootstrapHost(session, facts('a'), ['allocator']),
    bootstrapHost(session, facts('b'), ['allocator']),
  ]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect(isWharfError(rejected.reason, 'WHARF_CONFLICT')).toBe(true);
  expect((await session.children(paths.hosts())).length).toBe(1);
});

test('an installation that already has a coordinator refuses a bootstrap', async () => {
  const session = await zk.session();
  await session.mkdirp(paths.hosts());
  await session.create(
    paths.host('seeded'),
    serializeDocument('host-registration', { schema_version: 1, ...facts('seeded'), roles: ['coordinator'] }),
  );
  expect(await refusal(bootstrapHost(session, facts('late'), ['coordinator']))).toMatch(/^WHARF_CONFLICT: /);
  expect(await session.exists(paths.host('late'))).toBeNull();
  expect(await session.exists(paths.bootstrap())).toBeNull();
});
