import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { brandingName, setBranding, showBranding } from './branding';

const CURRENT = {
  name: 'Acme Cloud',
  primary_color: '#7b2cbf',
  logo: { url: '/api/v1/platform/configuration/branding/logo?v=1', media_type: 'image/svg+xml' },
  custom: true,
};

/** A client answering GETs with {@link CURRENT} and PUTs with their body, recording each call. */
function stubClient(calls: { method: string; body?: unknown }[]): ApiClient {
  return {
    request: async (method: string, _path: string, options: { body?: Record<string, unknown> } = {}) => {
      calls.push({ method, ...(options.body ? { body: options.body } : {}) });
      return { status: 200, body: method === 'PUT' ? { ...CURRENT, ...options.body } : CURRENT };
    },
  } as unknown as ApiClient;
}

function context(): { ctx: CliContext; out: () => string } {
  let text = '';
  const ctx = { cwd: '/', stdout: { write: (t: string) => (text += t) } } as unknown as CliContext;
  return { ctx, out: () => text };
}

describe('branding commands', () => {
  it('shows the name, colour and logo', async () => {
    const { ctx, out } = context();
    expect(await showBranding(stubClient([]), {}, ctx)).toBe(0);
    expect(out()).toMatch(/^Name:\s+Acme Cloud\nPrimary color:\s+#7b2cbf\nLogo:\s+image\/svg\+xml/);
    expect(await brandingName(stubClient([]))).toBe('Acme Cloud');
  });

  it('changes only what it is given: the stored logo stays unless removed', async () => {
    const calls: { method: string; body?: unknown }[] = [];
    expect(await setBranding(stubClient(calls), { primaryColor: '#0a7d4f' }, context().ctx)).toBe(0);
    expect(calls).toEqual([
      { method: 'GET' },
      { method: 'PUT', body: { name: 'Acme Cloud', primary_color: '#0a7d4f' } },
    ]);
    calls.length = 0;
    await setBranding(stubClient(calls), { name: 'Other', removeLogo: true }, context().ctx);
    expect(calls[1]).toEqual({
      method: 'PUT',
      body: { name: 'Other', primary_color: '#7b2cbf', logo: null },
    });
  });

  it('refuses --logo with --remove-logo before asking the api', async () => {
    const calls: { method: string }[] = [];
    await expect(
      setBranding(stubClient(calls), { logo: 'x.svg', removeLogo: true }, context().ctx),
    ).rejects.toThrow(/exclude each other/);
    expect(calls).toEqual([]);
  });
});
