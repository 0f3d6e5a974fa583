/**
 * Instance logs through ZooKeeper against a real ZooKeeper and a real process instance: a log
 * request left under `/log-requests/<allocator>` (as the api leaves it) is answered with the tail
 * of the instance's own output; a request naming an instance of another deployment is refused.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths, type LogRequest } from '@wharf/model';
import { type TempDir, tempDir, useZooKeeper, waitFor } from '@wharf/testkit';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { stackCatalog } from '../src/index';
import { httpSpec, putSpec, randomPortRange, readStatus, startAllocator, type Running } from './harness';

jest.setTimeout(30_000);

/** Prints 300 numbered lines, then serves HTTP like the harness's server. */
const CHATTY_SERVER = `
const http = require('node:http');
const [host, port] = process.argv.slice(2);
for (let i = 1; i <= 300; i++) console.log('line-' + i);
http.createServer((req, res) => res.end('ok')).listen(Number(port), host);
process.on('SIGTERM', () => process.exit(0));
`;

const zkf = useZooKeeper();
const ALLOC = 'alloc-logs';
let home: TempDir;
let running: Running | undefined;

afterEach(async () => {
  await running?.allocator.shutdown({ stopInstances: true }).catch(() => undefined);
  await running?.runtime.close().catch(() => undefined);
  await home.cleanup();
});

/** What the api does: an ephemeral request, polled until answered. */
async function ask(zk: ZkSession, request: Omit<LogRequest, 'schema_version' | 'requested'>) {
  const docs = new DocumentStore(zk);
  await zk.mkdirp(paths.logRequests(ALLOC));
  const path = await docs.create(
    'log-request',
    paths.logRequestPrefix(ALLOC),
    { schema_version: 1, requested: new Date().toISOString(), ...request },
    'ephemeral_sequential',
  );
  return waitFor(async () => (await docs.read('log-request', path))?.value.answer, {
    timeoutMs: 5_000,
    message: 'the allocator to answer',
  });
}

test("answers a log request with the tail of a real instance's output", async () => {
  home = await tempDir('wharf-allocator-logs');
  const script = join(home.path, 'chatty.js');
  await writeFile(script, CHATTY_SERVER);
  const zk = await zkf.session();
  running = await startAllocator(zk, stackCatalog(), {
    id: ALLOC,
    home: home.path,
    portRange: randomPortRange(),
  });
  await putSpec(zk, httpSpec(ALLOC, 'web-0', script));
  await waitFor(async () => (await readStatus(zk, ALLOC, 'web-0'))?.state === 'running', {
    timeoutMs: 15_000,
    message: 'the instance to run',
  });

  const answer = await ask(zk, { deployment_id: 'd1', instance_id: 'web-0', tail: 5 });
  expect(answer.error).toBeUndefined();
  expect(answer.truncated).toBe(false);
  expect(answer.text).toBe(['line-296', 'line-297', 'line-298', 'line-299', 'line-300', ''].join('\n'));

  const foreign = await ask(zk, { deployment_id: 'other', instance_id: 'web-0', tail: 5 });
  expect(foreign).toMatchObject({ error: 'unknown instance' });
  expect(foreign.text).toBeUndefined();
});
