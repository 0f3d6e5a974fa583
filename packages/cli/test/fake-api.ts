/**
 * A scripted stand-in for the Wharf REST API on a real loopback port: records every request and
 * answers from handlers the test sets, so the CLI's HTTP behaviour is tested end to end.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type CliContext, run } from '@wharf/cli';

/** One request as the fake API saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

/** An answer: status and JSON body (or `text` with its content type, e.g. a CSV). */
export interface FakeAnswer {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
}

/** Handler for `METHOD /path` (path without `/api/v1`); called once per request. */
export type FakeRoute = (req: SeenRequest) => FakeAnswer;

/** A running fake API. */
export interface FakeApi {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Sets the handler of `METHOD /path`. */
  on(method: string, path: string, route: FakeRoute): void;
  close(): Promise<void>;
}

/** Starts a fake API on a free loopback port. */
export async function startFakeApi(): Promise<FakeApi> {
  const routes = new Map<string, FakeRoute>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/api\/v1/, ''),
        query: Object.fromEntries(url.searchParams),
        authorization: req.headers.authorization,
        body: text === '' ? undefined : JSON.parse(text),
      };
      requests.push(seen);
      const route = routes.get(`${seen.method} ${seen.path}`);
      const answer = route
        ? route(seen)
        : {
            status: 404,
            body: { error: { code: 'WHARF_NOT_FOUND', message: `no route ${seen.method} ${seen.path}` } },
          };
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
      res.end(answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (method, path, route) => routes.set(`${method} ${path}`, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** Answers successive calls with successive answers; the last one repeats. */
export function sequence(...answers: FakeAnswer[]): FakeRoute {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)]!;
}

/** The API key {@link storeApiKey} leaves in `<dir>/home/credentials/api-key`. */
export const STORED_KEY = 'key-from-file';

/** Writes {@link STORED_KEY} where `wharf` looks for it when WHARF_HOME is `<dir>/home`. */
export async function storeApiKey(dir: string): Promise<void> {
  await mkdir(join(dir, 'home', 'credentials'), { recursive: true });
  await writeFile(join(dir, 'home', 'credentials', 'api-key'), `${STORED_KEY}\n`);
}

/** Runs the CLI in-process in `dir` with WHARF_API pointing at `api` and WHARF_HOME at `<dir>/home`. */
export async function runAgainst(
  api: FakeApi,
  dir: string,
  argv: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    env: { WHARF_API: api.url, WHARF_HOME: join(dir, 'home') },
    cwd: dir,
    stdout: { write: (t) => (out += t) },
    stderr: { write: (t) => (err += t) },
    execPath: process.execPath,
    cliPath: '/nonexistent/bin.js',
    totalMemoryBytes: 2 ** 33,
    onShutdownSignal: () => () => undefined,
  };
  const code = await run(argv, ctx);
  return { code, out, err };
}
