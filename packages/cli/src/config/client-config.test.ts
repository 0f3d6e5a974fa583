import { isWharfError } from '@wharf/model';
import { DEFAULT_API_URL, normaliseBaseUrl, resolveClientConfig } from './client-config';

const noFile = () => undefined;

describe('resolveClientConfig', () => {
  it('defaults to the local API and the key file under WHARF_HOME', () => {
    const keyFiles: string[] = [];
    const config = resolveClientConfig({}, { WHARF_HOME: '/h' }, '/cwd', (file) => {
      keyFiles.push(file);
      return 'from-file\n';
    });
    expect(config).toEqual({
      baseUrl: DEFAULT_API_URL,
      apiKey: 'from-file',
      apiKeySource: 'file',
      apiKeyFile: '/h/credentials/api-key',
    });
    expect(keyFiles).toEqual(['/h/credentials/api-key']);
  });

  it('prefers --api-key over WHARF_API_KEY over the file, and --api over WHARF_API', () => {
    const env = { WHARF_API_KEY: 'env-key', WHARF_API: 'http://127.0.0.1:1/' };
    const file = () => 'file-key';
    expect(resolveClientConfig({ apiKey: 'flag-key' }, env, '/', file)).toMatchObject({
      apiKey: 'flag-key',
      apiKeySource: 'flag',
      baseUrl: 'http://127.0.0.1:1',
    });
    expect(resolveClientConfig({ api: 'http://localhost:2' }, env, '/', file)).toMatchObject({
      apiKey: 'env-key',
      apiKeySource: 'env',
      baseUrl: 'http://localhost:2',
    });
  });

  it('sends no key when none is configured', () => {
    const config = resolveClientConfig({ home: 'rel' }, {}, '/cwd', noFile);
    expect(config.apiKey).toBeUndefined();
    expect(config.apiKeySource).toBe('none');
    expect(config.apiKeyFile).toBe('/cwd/rel/credentials/api-key');
  });
});

describe('normaliseBaseUrl', () => {
  it('strips a trailing slash and /api/v1', () => {
    expect(normaliseBaseUrl('--api', 'http://127.0.0.1:12400/api/v1/')).toBe('http://127.0.0.1:12400');
    expect(normaliseBaseUrl('--api', 'https://wharf.example/prefix/')).toBe('https://wharf.example/prefix');
  });

  it('rejects what is not an http(s) URL', () => {
    for (const bad of ['127.0.0.1:12400', 'ftp://x', 'http://x/?a=1']) {
      expect(() => normaliseBaseUrl('--api', bad)).toThrow(
        expect.objectContaining({ code: 'WHARF_VALIDATION' }) as Error,
      );
    }
    try {
      normaliseBaseUrl('WHARF_API', 'nope');
    } catch (err) {
      expect(isWharfError(err) && err.message.startsWith('WHARF_API:')).toBe(true);
    }
  });
});
