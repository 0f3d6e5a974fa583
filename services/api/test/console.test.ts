/**
 * What the api serves to a browser, against a real ZooKeeper: the console's page and assets
 * without a key and under a strict CSP, no CORS, the OpenAPI document and its page, and the plan
 * activity stream (Server-Sent Events) pushing changes written to ZooKeeper the way the
 * constructor writes them.
 */
import { spawn } from 'node:child_process';
import { paths } from '@wharf/model';
import { useApiHarness } from './helpers/harness';
import { etcdRequest, planAttempt } from './helpers/plans';

jest.setTimeout(30_000);

/** Reads SSE events from a fetch response: `next(n)` resolves with the next `n` events. */
function eventReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pending: { event: string; data: any }[] = [];
  const next = async (count: number, timeoutMs = 10_000): Promise<{ event: string; data: any }[]> => {
    const deadline = Date.now() + timeoutMs;
    while (pending.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${pending.length} of ${count} events arrived`);
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) pending.push({ event, data: JSON.parse(data) });
      }
    }
    return pending.splice(0, count);
  };
  /** Skips events until one satisfies `predicate` (other changes may be pushed in between). */
  const until = async (predicate: (e: { event: string; data: any }) => boolean) => {
    for (;;) {
      const [event] = await next(1);
      if (event === undefined) throw new Error('the stream ended');
      if (predicate(event)) return event;
    }
  };
  return { next, until, cancel: () => reader.cancel() };
}

/**
 * Validates an OpenAPI document with @apidevtools/swagger-parser in a child node process: the
 * parser's dependencies are ES modules, which node's require() loads and Jest's runtime cannot.
 */
function validateOpenApi(doc: unknown): Promise<{ code: number | null; output: string }> {
  const script = `
    const SwaggerParser = require('@apidevtools/swagger-parser');
    let input = '';
    process.stdin.on('data', (c) => (input += c)).on('end', () =>
      SwaggerParser.validate(JSON.parse(input)).then(
        () => console.log('valid'),
        (err) => { console.log(err.message); process.exitCode = 1; },
      ),
    );`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(JSON.stringify(doc));
  });
}

describe('the console, OpenAPI and the activity stream', () => {
  const { h } = useApiHarness('/api-console');

  it('serves the console page and its assets without a key, under a CSP without unsafe-*', async () => {
    const page = await h.call('GET', '/', undefined, { noAuth: true });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    expect(page.text).not.toMatch(/<script>|<script type="module">[^<]/);

    const asset = await h.call('GET', script!, undefined, { noAuth: true });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // The validators compiled from the model's schemas are in the bundle, with no eval of code.
    expect(asset.text).toContain('cluster_topology');
    expect(asset.text).not.toMatch(/new Function\(/);
  });

  it('does not serve files outside the build, and the API still needs a key', async () => {
    for (const path of [
      '/assets/..%2Fpackage.json',
      '/assets/%2e%2e%2findex.html',
      '/index.html',
      '/assets/nope.js',
      '/assets/%zz',
    ]) {
      const res = await h.rawPath('GET', path);
      expect({ path, status: res.status >= 400 && res.status < 500 }).toEqual({ path, status: true });
    }
    const api = await h.call('GET', '/api/v1/deployments', undefined, { noAuth: true });
    expect(api.status).toBe(401);
  });

  it('keeps CORS closed: no Access-Control-* header for another origin, preflight or not', async () => {
    const origin = { origin: 'https://evil.example' };
    const preflight = await h.call('OPTIONS', '/api/v1/deployments', undefined, {
      headers: { ...origin, 'access-control-request-method': 'POST' },
    });
    const get = await h.call('GET', '/api/v1/deployments', undefined, { headers: origin });
    expect(get.status).toBe(200);
    for (const res of [preflight, get]) {
      expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('serves an OpenAPI 3.1 document with the model schemas, and a page rendering it', async () => {
    const doc = await h.call('GET', '/api/v1/openapi.json', undefined, { noAuth: true });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    // A create is a plain create request or one that names a template.
    expect(doc.body.paths['/deployments'].post.requestBody.content['application/json'].schema).toEqual({
      oneOf: [
        { $ref: '#/components/schemas/DeploymentCreateRequest' },
        { $ref: '#/components/schemas/TemplatedCreateRequest' },
      ],
    });
    expect(doc.body.components.schemas.TemplatedCreateRequest.required).toEqual(['deployment_template']);
    const createSchema = doc.body.components.schemas.DeploymentCreateRequest;
    expect(createSchema.required).toEqual(['name', 'resources']);
    expect(doc.body.paths['/deployments/{id}/plan/activity/_stream'].get.operationId).toBe(
      'streamPlanActivity',
    );
    await expect(validateOpenApi(doc.body)).resolves.toEqual({ code: 0, output: 'valid\n' });
    // The validator does reject a broken document.
    const broken = structuredClone(doc.body);
    broken.paths['/deployments'].post.responses = 5;
    expect((await validateOpenApi(broken)).output).toContain('responses must be object');

    const page = await h.call('GET', '/api/v1/docs', undefined, { noAuth: true });
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="createDeployment"');
    expect(page.text).toContain('id="schema-DeploymentCreateRequest"');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/unsafe-/);
    expect(page.text).not.toContain('<script');
  });

  it('streams the deployment and its plan activity as they change, then `gone` when it is deleted', async () => {
    const created = await h.call('POST', '/api/v1/deployments', etcdRequest('streamed'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const res = await fetch(`${h.api.url}/api/v1/deployments/${id}/plan/activity/_stream`, {
      headers: { authorization: `ApiKey ${h.key}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const events = eventReader(res);
    const [first] = await events.next(1);
    expect(first).toMatchObject({
      event: 'snapshot',
      data: { deployment: { id, name: 'streamed', status: 'creating' } },
    });
    expect(first!.data.attempts).toEqual([]);

    // The constructor starts an attempt: the stream pushes it without being asked.
    await h.zk.create(
      paths.planAttempt(id),
      JSON.stringify(planAttempt(id, 'a-1', 'running', new Date().toISOString())),
    );
    const second = await events.until((e) => e.event !== 'snapshot' || e.data.attempts.length > 0);
    expect(second.event).toBe('snapshot');
    expect(second.data.attempts[0]).toMatchObject({ plan_attempt_id: 'a-1', status: 'running' });

    await h.zk.deleteRecursive(paths.deployment(id));
    const third = await events.until((e) => e.event !== 'snapshot');
    expect(third.event).toBe('gone');
  });

  it('answers a stream of an unknown or invalid deployment, or without a key, with the usual errors', async () => {
    const unknown = await h.call('GET', '/api/v1/deployments/nosuchdeployment/plan/activity/_stream');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('WHARF_NOT_FOUND');
    const invalid = await h.call('GET', '/api/v1/deployments/Bad_Id/plan/activity/_stream');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details[0].path).toBe('id');
    const anonymous = await h.call('GET', '/api/v1/deployments/abc/plan/activity/_stream', undefined, {
      noAuth: true,
    });
    expect(anonymous.status).toBe(401);
  });
});
