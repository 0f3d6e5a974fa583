import { DEFAULT_DEPLOYMENT_TEMPLATES, DEFAULT_INSTANCE_CONFIGURATIONS } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';
import { listInstanceConfigurations, listTemplates, showInstanceConfiguration } from './catalog';

/** A client answering `body` to any request, recording the paths asked for. */
function stubClient(body: unknown, asked: string[]): ApiClient {
  return {
    request: async (_method: string, path: string) => {
      asked.push(path);
      return { status: 200, body, headers: new Headers() };
    },
  } as unknown as ApiClient;
}

function context(): { ctx: CliContext; out: () => string } {
  let text = '';
  const ctx = { stdout: { write: (t: string) => (text += t) } } as unknown as CliContext;
  return { ctx, out: () => text };
}

describe('catalog commands', () => {
  it('lists templates with their source and topology', async () => {
    const asked: string[] = [];
    const templates = [
      { ...DEFAULT_DEPLOYMENT_TEMPLATES['etcd-default']!, system_owned: true, stored: false },
      { ...DEFAULT_DEPLOYMENT_TEMPLATES['http-default']!, id: 'mine', system_owned: false, stored: true },
    ];
    const { ctx, out } = context();
    expect(await listTemplates(stubClient({ templates }, asked), {}, ctx)).toBe(0);
    expect(asked).toEqual(['/deployments/templates']);
    const lines = out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SOURCE\s+TOPOLOGY$/);
    expect(lines[1]).toMatch(/^etcd-default\s+etcd, 3 zones\s+built-in\s+etcd: 3x256 MB etcd\.small$/);
    expect(lines[2]).toMatch(/^mine\s+.*stored\s+http: 1x64 MB http\.default$/);
  });

  it('lists instance configurations with their sizes', async () => {
    const configs = Object.values(DEFAULT_INSTANCE_CONFIGURATIONS).map((c) => ({
      ...c,
      system_owned: true,
      stored: c.id === 'etcd.small',
    }));
    const { ctx, out } = context();
    await listInstanceConfigurations(stubClient({ instance_configurations: configs }, []), {}, ctx);
    expect(out()).toMatch(/etcd\.small\s+etcd\s+overridden\s+256,512\n/);
    expect(out()).toMatch(/http\.default\s+http\s+built-in\s+any\n/);
  });

  it('refuses a malformed id before asking the api', async () => {
    const asked: string[] = [];
    await expect(showInstanceConfiguration(stubClient({}, asked), '../x', context().ctx)).rejects.toThrow(
      /invalid instance_configuration id/,
    );
    expect(asked).toEqual([]);
  });
});
