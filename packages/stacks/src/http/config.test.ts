import { type InstanceContext } from '../types';
import { createHttpPack } from './pack';
import { parseHttpSettings, renderHttpCommand, substituteTokens } from './config';

const ctx = (settings: Record<string, unknown>, over: Partial<InstanceContext> = {}): InstanceContext => ({
  instanceId: 'web-0',
  deploymentId: 'd2',
  version: '1',
  host: '127.0.0.1',
  ports: { http: 18080 },
  dataDir: '/var/lib/wharf/web-0/data',
  memoryMb: 128,
  settings,
  cluster: { token: 't', state: 'new', members: [] },
  ...over,
});

describe('http command rendering', () => {
  it('substitutes tokens per argument and passes PORT', () => {
    const command = renderHttpCommand(
      ctx({
        command: [
          '/usr/bin/python3',
          '-m',
          'http.server',
          '{{port}}',
          '--bind',
          '{{host}}',
          '--directory',
          '{{data_dir}}',
        ],
      }),
    );
    expect(command.argv).toEqual([
      '/usr/bin/python3',
      '-m',
      'http.server',
      '18080',
      '--bind',
      '127.0.0.1',
      '--directory',
      '/var/lib/wharf/web-0/data',
    ]);
    expect(command.env).toEqual({ PORT: '18080', HOST: '127.0.0.1' });
    expect(command.image).toBeUndefined();
  });

  it('binds the bind host and keeps shell metacharacters literal', () => {
    const command = renderHttpCommand(
      ctx(
        { command: ['server', '--listen={{host}}:{{ port }}', '$(rm -rf /); echo {{port}}'] },
        { bindHost: '0.0.0.0' },
      ),
    );
    expect(command.argv).toEqual(['server', '--listen=0.0.0.0:18080', '$(rm -rf /); echo 18080']);
  });

  it('lets an image alone supply the command', () => {
    expect(renderHttpCommand(ctx({ image: 'nginx:1.25' }))).toEqual({
      argv: [],
      env: { PORT: '18080', HOST: '127.0.0.1' },
      image: 'nginx:1.25',
    });
  });

  it.each([
    ['a shell string', { command: 'python3 -m http.server' }],
    ['a relative program', { command: ['./serve'] }],
    ['an empty argv', { command: [] }],
    ['neither command nor image', {}],
    ['an unknown token', { command: ['serve', '{{secret}}'] }],
    ['an unknown setting', { command: ['serve'], comand: ['typo'] }],
    ['a health path with a host', { command: ['serve'], health_path: 'http://evil/' }],
    ['a health path with CRLF', { command: ['serve'], health_path: '/\r\nX: y' }],
  ])('refuses %s with WHARF_VALIDATION', (_label, settings) => {
    expect(() => parseHttpSettings(settings as Record<string, unknown>)).toThrow(
      expect.objectContaining({ code: 'WHARF_VALIDATION' }),
    );
  });

  it('refuses an unknown version', () => {
    expect(() => renderHttpCommand(ctx({ image: 'x' }, { version: '2' }))).toThrow(
      expect.objectContaining({ code: 'WHARF_STACK_ERROR' }),
    );
  });

  it('defaults the health path', () => {
    expect(parseHttpSettings({ image: 'x' }).healthPath).toBe('/');
    expect(parseHttpSettings({ image: 'x', health_path: '/healthz?full=1' }).healthPath).toBe(
      '/healthz?full=1',
    );
  });

  it('substituteTokens leaves text without tokens alone', () => {
    expect(substituteTokens('{not a token}', {})).toBe('{not a token}');
  });

  it('is not clustered and has no-op hooks', async () => {
    const pack = createHttpPack();
    expect(pack.clustered).toBe(false);
    expect(pack.routePort).toBe('http');
    await expect(
      pack.beforeJoin([], { name: 'a', host: '127.0.0.1', ports: { http: 1 } }),
    ).resolves.toBeUndefined();
  });
});
