/**
 * Property-based fuzzing of the whole route table (issue 9): fast-check generates ≥ 1,000 bad
 * requests per run — malformed JSON, wrong types, out-of-range numbers, bad path parameters, bad
 * query strings, wrong methods, missing or wrong credentials, huge bodies, control characters —
 * against a real api on a real ZooKeeper. Every request is built so that it must be refused: the
 * valid parts (existing ids, valid bodies) are there so that a check skipped before a write would
 * show up as a changed znode. The property: no 5xx, every error in the `{error:{code,message,
 * details}}` envelope; and afterwards the tree under the chroot is byte-for-byte and
 * zxid-for-zxid what it was. Counts by status are printed (and recorded in docs/reliability.md).
 *
 * `WHARF_FUZZ_SEED` replays a run; `WHARF_FUZZ_RUNS` changes how many requests it sends.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { ID_PATTERN, paths, serializeDocument } from '@wharf/model';
import { waitFor } from '@wharf/testkit';
import { OPERATIONS, type Operation } from '../src/openapi/operations';
import { useApiHarness } from './helpers/harness';
import { advertisement, etcdRequest, instanceSpec, type Loose, hostRegistration } from './helpers/plans';
import { dumpTree } from './helpers/tree';

jest.setTimeout(60_000);

const PREFIX = '/api/v1';
const HOST = 'h1';
const ALLOCATOR = `allocator-${HOST}`;
const RUNS = Number(process.env.WHARF_FUZZ_RUNS ?? 2000);
const SEED = process.env.WHARF_FUZZ_SEED === undefined ? undefined : Number(process.env.WHARF_FUZZ_SEED);
/** Per-request bound: a hung request fails the property rather than the whole test. */
const REQUEST_TIMEOUT_MS = 5000;
const ID_REGEX = new RegExp(ID_PATTERN);

/** One generated request, exactly as it goes on the wire. */
interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** False for the unauthenticated Meta routes (health answers plain text, as load balancers expect). */
  envelope?: boolean;
}

interface FuzzResponse {
  status: number;
  text: string;
}

/** Ids that exist after set-up, by the `{id}` of each route family. */
interface Existing {
  deployment: string;
  apiKey: string;
}

/** Sends `r` with node:http so that paths, methods and bodies go out unnormalised. */
function send(port: number, r: FuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: r.method,
        path: r.path,
        headers: {
          ...r.headers,
          ...(r.body === undefined ? {} : { 'content-length': String(r.body.length) }),
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before a huge body is written: that is its answer.
    req.on('error', reject);
    req.end(r.body);
  });
}

/** A valid body for `op`, so that a request is refused only for what the generator broke. */
function validBody(op: Operation): Loose {
  switch (op.operationId) {
    case 'createDeployment':
      return etcdRequest('fuzzed');
    case 'updateDeployment':
      return { resources: etcdRequest('fuzzed', 3, 1024).resources };
    case 'setAllocatorMaintenance':
      return { enabled: true };
    case 'setHostRoles':
      return { roles: [] };
    case 'createApiKey':
      return { description: 'fuzzed' };
    case 'createRolesToken':
      return { roles: ['proxy'] };
    default:
      return undefined;
  }
}

/** The existing id a route's `{id}` names, so bad bodies and queries hit a real resource. */
function existingId(op: Operation, existing: Existing): string {
  if (op.path.startsWith('/deployments/')) return existing.deployment;
  if (op.path.startsWith('/platform/allocators/')) return ALLOCATOR;
  if (op.path.startsWith('/platform/hosts/')) return HOST;
  return existing.apiKey;
}

const C0 = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
/** Text with control characters, mixed into printable text. */
const controlText = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.array(C0, { minLength: 1, maxLength: 4 }),
    fc.string({ maxLength: 8 }),
  )
  .map(([a, c, b]) => `${a}${c.join('')}${b}`);

/** A path segment that is not a valid id, as the raw (still percent-encoded) segment. */
const badIdSegment: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('%zz', '%', '%E0%A4%A', 'ab%c3', '%c0%af', '%2e%2e', '%2F', '%00', '..%2f..%2fzookeeper'),
    controlText.map(encodeURIComponent),
    fc.string({ minLength: 1, maxLength: 80 }).map(encodeURIComponent),
    fc.integer({ min: 64, max: 4000 }).map((n) => 'a'.repeat(n)),
    fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,20}$/),
    fc.constantFrom('-a', 'a-', '_', '%C3%A9', 'a%20b', 'a.b', encodeURIComponent('🚢')),
  )
  .filter((segment) => {
    // Only segments the router would fill a parameter with (no '/', not empty) and that are not
    // a valid id once decoded: a valid one could name a real resource.
    if (segment === '' || segment.includes('/')) return false;
    try {
      return !ID_REGEX.test(decodeURIComponent(segment));
    } catch {
      return true;
    }
  });

/** A valid-looking id that names nothing. */
function missingId(existing: Existing): fc.Arbitrary<string> {
  const taken = new Set([existing.deployment, existing.apiKey, HOST, ALLOCATOR, 'alloc-empty']);
  return fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/).filter((id) => !taken.has(id));
}

/** A JSON value of a different type than `value` (so never valid where `value` was). */
function otherType(value: unknown): fc.Arbitrary<unknown> {
  const all: Array<[string, fc.Arbitrary<unknown>]> = [
    ['string', fc.oneof(fc.string({ maxLength: 20 }), controlText)],
    ['number', fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })],
  ];
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return fc.oneof(...all.filter(([t]) => t !== type).map(([, a]) => a));
}

/** Every path into `value` (objects and arrays), leaves included. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  }
  return out;
}

function getAt(value: Loose, path: Array<string | number>): unknown {
  return path.reduce((v: Loose, k) => v[k], value);
}

function setAt(value: Loose, path: Array<string | number>, replacement: unknown): Loose {
  const copy = structuredClone(value);
  const parent = getAt(copy, path.slice(0, -1)) as Loose;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}

/** A body for `op` that must be refused. */
function badBody(op: Operation): fc.Arbitrary<{ kind: string; body: Buffer; type: string }> {
  const valid = validBody(op) ?? {};
  const json = (kind: string) => (v: unknown) => ({
    kind,
    body: Buffer.from(JSON.stringify(v)),
    type: 'application/json',
  });
  const fieldPaths = pathsOf(valid);
  const options: Array<fc.Arbitrary<{ kind: string; body: Buffer; type: string }>> = [
    // Malformed JSON: a truncated valid body, or text that is not JSON at all.
    fc.integer({ min: 1, max: Math.max(1, JSON.stringify(valid).length - 1) }).map((n) => ({
      kind: 'malformed-json',
      body: Buffer.from(JSON.stringify(valid).slice(0, n)),
      type: 'application/json',
    })),
    fc
      .oneof(fc.string({ minLength: 1, maxLength: 40 }), controlText)
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((s) => ({ kind: 'malformed-json', body: Buffer.from(s), type: 'application/json' })),
    // Not an object at the top.
    fc
      .oneof(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
        fc.string(),
        fc.integer(),
        fc.constant(null),
      )
      .map(json('wrong-type')),
    // A valid body sent as something else than JSON.
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml').map((type) => ({
      kind: 'wrong-content-type',
      body: Buffer.from(JSON.stringify(valid)),
      type,
    })),
    // A body over the limit (256 KiB).
    fc.integer({ min: 257 * 1024, max: 1024 * 1024 }).map((n) => ({
      kind: 'huge-body',
      body: Buffer.from(JSON.stringify({ ...valid, pad: 'x'.repeat(n) })),
      type: 'application/json',
    })),
    // A field the schema does not know.
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }))
      .filter(([k]) => !(k in valid) && k !== '__proto__')
      .map(([k, v]) => json('unknown-field')({ ...valid, [k]: v })),
  ];
  if (fieldPaths.length > 0) {
    // One field anywhere in a valid body replaced by a value of another type.
    options.push(
      fc
        .constantFrom(...fieldPaths)
        .chain((p) => otherType(getAt(valid, p)).map((v) => setAt(valid, p, v)))
        .map(json('wrong-type')),
    );
    // Numbers out of range: negative, fractional where integers go, beyond 2^31.
    const numeric = fieldPaths.filter((p) => typeof getAt(valid, p) === 'number');
    if (numeric.length > 0) {
      options.push(
        fc
          .tuple(
            fc.constantFrom(...numeric),
            fc.oneof(
              fc.integer({ min: -2_147_483_648, max: -1 }),
              fc.constantFrom(0.5, 2 ** 31, 2 ** 53, 1e300),
            ),
          )
          .map(([p, v]) => setAt(valid, p, v))
          .map(json('out-of-range')),
      );
    }
    // Strings with control characters, or far too long.
    const strings = fieldPaths.filter((p) => typeof getAt(valid, p) === 'string');
    if (strings.length > 0)
      options.push(
        fc
          .tuple(
            fc.constantFrom(...strings),
            fc.oneof(
              controlText,
              fc.integer({ min: 300, max: 5000 }).map((n) => 'x'.repeat(n)),
            ),
          )
          .map(([p, v]) => setAt(valid, p, v))
          .map(json('bad-string')),
      );
  }
  return fc.oneof(...options);
}

/** A query value that no declared parameter accepts. */
const badQueryValue = fc.oneof(
  fc.constantFrom('abc', '-1', '1.5', '1e3', '', '%zz', '%', 'true%00', '99999999999', 'yes', '[]', '0x10'),
  controlText.map(encodeURIComponent),
);

/** Bad values for a route's declared (or guard) query parameters, or an unknown one. */
function badQuery(op: Operation): fc.Arbitrary<string> | undefined {
  const names = (op.query ?? []).map((q) => q.name);
  if (op.operationId === 'setAllocatorMaintenance' || op.operationId === 'setHostRoles') names.push('force');
  if (names.length === 0) return undefined;
  const declared = fc
    .tuple(fc.constantFrom(...names), badQueryValue)
    .filter(([name, value]) => {
      // Values that are in fact valid for their parameter would make a valid request.
      const decoded = (() => {
        try {
          return decodeURIComponent(value);
        } catch {
          return value;
        }
      })();
      if (name === 'request_id') return decoded.length < 32 || decoded.length > 128;
      return true;
    })
    .map(([name, value]) => `${name}=${value}`);
  const repeated = fc.constantFrom(...names).map((name) => `${name}=1&${name}=2`);
  const unknown = fc
    .stringMatching(/^[a-z_]{1,12}$/)
    .filter((n) => !names.includes(n))
    .map((n) => `${n}=1`);
  const broken = fc.constantFrom('%zz=1', `${names[0]}[a]=1`, `${names[0]}=%`, `${names[0]}=%00`);
  return fc.oneof(declared, repeated, unknown, broken);
}

const METHODS = ['get', 'post', 'put', 'delete'] as const;

/** Every bad request the fuzzer sends, over every route in the table. */
function badRequests(existing: Existing, key: string): fc.Arbitrary<FuzzRequest> {
  const auth = { authorization: `ApiKey ${key}` };
  const withPath = (op: Operation, id: string, query?: string): string =>
    `${PREFIX}${op.path.replace('{id}', id)}${query === undefined ? '' : `?${query}`}`;
  const validJson = (op: Operation): Pick<FuzzRequest, 'body' | 'headers'> => {
    const body = validBody(op);
    return body === undefined
      ? { headers: { ...auth } }
      : { body: Buffer.from(JSON.stringify(body)), headers: { ...auth, 'content-type': 'application/json' } };
  };
  const perOperation = OPERATIONS.flatMap((op): Array<fc.WeightedArbitrary<FuzzRequest>> => {
    const method = op.method.toUpperCase();
    const hasId = op.path.includes('{id}');
    const out: Array<fc.Arbitrary<FuzzRequest>> = [];
    let bodies: fc.Arbitrary<FuzzRequest> | undefined;
    if (hasId) {
      // A bad id with an otherwise valid request: the id must be refused before anything else.
      out.push(
        badIdSegment.map((id) => ({
          kind: 'bad-path-param',
          method,
          path: withPath(op, id),
          ...validJson(op),
        })),
      );
    }
    if (op.body !== undefined) {
      const ids = hasId
        ? fc.oneof(fc.constant(existingId(op, existing)), missingId(existing))
        : fc.constant('');
      // Bodies are where most checks are: weighted up against the cheap kinds below.
      bodies = fc.tuple(ids, badBody(op)).map(([id, b]) => ({
        kind: b.kind,
        method,
        path: withPath(op, id),
        headers: { ...auth, 'content-type': b.type },
        body: b.body,
      }));
      out.push(bodies);
    }
    const query = badQuery(op);
    if (query !== undefined) {
      out.push(
        query.map((q) => ({
          kind: 'bad-query',
          method,
          path: withPath(op, hasId ? existingId(op, existing) : '', q),
          ...validJson(op),
        })),
      );
    }
    // Methods the path does not serve, with the body its real method takes.
    const served = new Set(OPERATIONS.filter((o) => o.path === op.path).map((o) => o.method));
    const wrong = [
      ...METHODS.filter((m) => !served.has(m)).map((m) => m.toUpperCase()),
      'PATCH',
      'OPTIONS',
      'TRACE',
    ];
    out.push(
      fc.constantFrom(...wrong).map((m) => ({
        kind: 'wrong-method',
        method: m,
        path: withPath(op, hasId ? existingId(op, existing) : ''),
        ...validJson(op),
      })),
    );
    if (op.authenticated) {
      // A valid request without a key, or with a wrong or malformed one.
      out.push(
        fc
          .oneof(
            fc.constant<Record<string, string>>({}),
            fc.string({ maxLength: 40 }).map((s) => ({ authorization: `ApiKey ${encodeURIComponent(s)}` })),
            fc.constantFrom(
              { authorization: `Bearer ${key}` },
              { authorization: `ApiKey ${key}x` },
              { authorization: `ApiKey ${key.slice(0, -1)}` },
              { authorization: 'ApiKey' },
              { authorization: `apikey  ${'a'.repeat(5000)}` },
            ),
          )
          .map((headers) => {
            const valid = validJson(op);
            const { authorization: _dropped, ...rest } = valid.headers;
            return {
              kind: 'bad-auth',
              method,
              path: withPath(op, hasId ? existingId(op, existing) : ''),
              body: valid.body,
              headers: { ...rest, ...headers },
            };
          }),
      );
    }
    return out.map((a) => ({
      arbitrary: op.authenticated ? a : a.map((r) => ({ ...r, envelope: false })),
      weight: a === bodies ? 4 : 1,
    }));
  });
  // Paths beside the table: unknown routes, control characters and escapes in fixed segments.
  const strayPath = fc
    .tuple(fc.constantFrom(...METHODS, 'patch'), fc.oneof(badIdSegment, fc.stringMatching(/^[a-z_]{1,12}$/)))
    .map(([m, seg]) => ({
      kind: 'unknown-path',
      method: m.toUpperCase(),
      path: `${PREFIX}/${seg}/${seg}`,
      headers: { ...auth },
    }));
  return fc.oneof(...perOperation, strayPath);
}

describe('fuzzing every route with bad requests', () => {
  // No rate limit: the point is that each request reaches its handler's checks.
  const { h } = useApiHarness('/api-fuzz', { config: { rateLimit: null } });
  let existing: Existing;

  beforeAll(async () => {
    await h.zk.mkdirp(paths.hosts());
    await h.zk.create(
      paths.host(HOST),
      serializeDocument('host-registration', hostRegistration(HOST, '127.0.0.1', ['allocator', 'proxy'])),
    );
    const put = async (path: string, value: unknown): Promise<void> => {
      await h.zk.mkdirp(path.slice(0, path.lastIndexOf('/')));
      await h.zk.create(path, JSON.stringify(value));
    };
    await put(paths.allocator(ALLOCATOR), advertisement(ALLOCATOR, 'zone-a'));
    await put(paths.instanceSpec(ALLOCATOR, 'orders-main-0'), instanceSpec('orders', ALLOCATOR, 'zone-a', 0));
    const created = await h.call('POST', `${PREFIX}/deployments`, etcdRequest('orders'));
    expect(created.status).toBe(201);
    const keyRes = await h.call('POST', `${PREFIX}/platform/configuration/security/api-keys`, {
      description: 'kept',
    });
    expect(keyRes.status).toBe(201);
    existing = { deployment: created.body.id as string, apiKey: keyRes.body.id as string };
    await waitFor(async () => {
      const { allocators } = (await h.call('GET', `${PREFIX}/platform/allocators`)).body;
      return allocators.some(
        (a: { id: string; instances: number }) => a.id === ALLOCATOR && a.instances === 1,
      );
    });
  }, 60_000);

  it(`${RUNS} generated bad requests: no 5xx, errors in the envelope, no znode changed`, async () => {
    const before = await dumpTree(h.zk);
    const byStatus = new Map<number, number>();
    const byKind = new Map<string, number>();
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(badRequests(existing, h.key), async (r) => {
        const res = await send(h.api.port, r);
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
        byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
        expect(res.status).toBeGreaterThanOrEqual(100);
        expect(res.status).toBeLessThan(500);
        // Every request is bad: a mutating one that succeeds has written something.
        if (['POST', 'PUT', 'DELETE', 'PATCH'].includes(r.method))
          expect(res.status).toBeGreaterThanOrEqual(400);
        if (res.status >= 400 && r.envelope !== false) {
          const body = JSON.parse(res.text) as Loose;
          expect(body).toEqual({
            error: {
              code: expect.stringMatching(/^WHARF_/),
              message: expect.any(String),
              details: expect.any(Array),
            },
          });
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    const seconds = (Date.now() - started) / 1000;
    const after = await dumpTree(h.zk);
    const changed = Object.keys({ ...before, ...after }).filter(
      (p) => JSON.stringify(before[p]) !== JSON.stringify(after[p]),
    );
    const sorted = (m: Map<string | number, number>) =>
      [...m.entries()].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([k, n]) => `${k}: ${n}`);
    process.stdout.write(
      `fuzz: ${RUNS} requests in ${seconds.toFixed(1)} s; by status ${sorted(byStatus).join(', ')}; ` +
        `by kind ${sorted(byKind).join(', ')}; znodes changed: ${changed.length}\n`,
    );
    expect(changed).toEqual([]);
    expect([...byStatus.keys()].filter((s) => s >= 500)).toEqual([]);
  });
});
