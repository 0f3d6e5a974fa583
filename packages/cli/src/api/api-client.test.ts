import { isWharfError } from '@wharf/model';
import { ApiClient } from './api-client';
import { ApiError } from './api-error';

type Seen = { url: string; init: RequestInit };

function client(respond: (url: string) => Response | Promise<Response>, apiKey?: string) {
  const seen: Seen[] = [];
  const fetchStub = (async (url: URL | string, init: RequestInit = {}) => {
    seen.push({ url: String(url), init });
    return respond(String(url));
  }) as typeof fetch;
  return {
    seen,
    api: new ApiClient({ baseUrl: 'http://127.0.0.1:1', fetch: fetchStub, ...(apiKey ? { apiKey } : {}) }),
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('ApiClient', () => {
  it('sends the key, JSON body and query under /api/v1', async () => {
    const { api, seen } = client(() => json(201, { id: 'd1' }), 'secret');
    const res = await api.request('POST', '/deployments', {
      body: { name: 'x' },
      query: { request_id: 'r', skip: undefined },
    });
    expect(res).toEqual({ status: 201, body: { id: 'd1' } });
    expect(seen[0]!.url).toBe('http://127.0.0.1:1/api/v1/deployments?request_id=r');
    expect(seen[0]!.init.method).toBe('POST');
    expect(seen[0]!.init.headers).toMatchObject({
      authorization: 'ApiKey secret',
      'content-type': 'application/json',
    });
    expect(seen[0]!.init.body).toBe('{"name":"x"}');
  });

  it('throws the API error code, message and details as sent', async () => {
    const body = {
      error: { code: 'WHARF_PLAN_INVALID', message: 'bad plan', details: [{ path: 'name', message: 'x' }] },
    };
    const { api } = client(() => json(400, body));
    await expect(api.request('POST', '/deployments', { body: {} })).rejects.toEqual(
      new ApiError('WHARF_PLAN_INVALID', 'bad plan', 400, [{ path: 'name', message: 'x' }]),
    );
  });

  it('returns allowed error statuses instead of throwing', async () => {
    const { api } = client(() => json(404, { error: { code: 'WHARF_NOT_FOUND', message: 'gone' } }));
    expect((await api.request('GET', '/deployments/x/plan/activity', { allow: [404] })).status).toBe(404);
  });

  it('keeps a non-JSON error answer readable', async () => {
    const { api } = client(
      () => new Response('Bad Gateway from somewhere', { status: 502, statusText: 'Bad Gateway' }),
    );
    await expect(api.request('GET', '/platform')).rejects.toMatchObject({
      code: 'HTTP_502',
      status: 502,
      message: 'Bad Gateway: Bad Gateway from somewhere',
    });
  });

  it('reports an unreachable API as WHARF_UNAVAILABLE', async () => {
    const { api } = client(() => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    const err = await api.request('GET', '/platform').catch((e: unknown) => e);
    expect(isWharfError(err, 'WHARF_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toBe('cannot reach the API at http://127.0.0.1:1: ECONNREFUSED');
  });
});
