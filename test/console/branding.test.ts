/**
 * White-label branding in a real browser (Debian Chromium through playwright-core): the real
 * `wharf-api` process on a real ZooKeeper — branding needs nothing else of a platform, so none is
 * started. Branding set through the API changes the sign-in page's and the shell's title, name,
 * logo and colour, under the console's CSP; the CLI prints the name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Browser } from 'playwright-core';
import { freePort, startZooKeeper, tempDir, waitFor, type TempDir, type TestZooKeeper } from '@wharf/testkit';
import { apiClient, runCli, startTogether } from '../helpers/platform';
import { launchBrowser, openPage, screenshotDir, type TestPage } from './browser';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..', '..');
const API_MAIN = join(ROOT, 'services', 'api', 'dist', 'main.js');
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#fff"/><path d="M8 22 16 8l8 14z" fill="#7b2cbf"/></svg>`;
const BRAND = {
  name: 'Acme Cloud',
  primary_color: '#7b2cbf',
  logo: `data:image/svg+xml;base64,${Buffer.from(LOGO).toString('base64')}`,
};
/** `#7b2cbf` as getComputedStyle spells it. */
const BRAND_RGB = 'rgb(123, 44, 191)';

describe('branding in the console', () => {
  let zk: TestZooKeeper;
  let home: TempDir;
  let api: ChildProcess;
  let apiUrl: string;
  let apiKey: string;
  let browser: Browser;
  let t: TestPage;
  const page = () => t.page;
  /** The computed background colour of the first element matching `selector`. */
  const background = (selector: string): Promise<string> =>
    page().evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`);
  const call = (method: string, path: string, body?: unknown) =>
    apiClient(apiUrl, apiKey)(method, path, body);

  beforeAll(async () => {
    await startTogether([
      startZooKeeper().then((z) => (zk = z)),
      tempDir('wharf-branding-e2e').then((d) => (home = d)),
      launchBrowser().then((b) => (browser = b)),
    ]);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, [API_MAIN], {
      env: {
        PATH: process.env.PATH,
        WHARF_ZK: zk.connectString,
        WHARF_HOME: home.path,
        WHARF_API_PORT: String(port),
      },
      stdio: 'ignore',
    });
    await waitFor(async () => (await fetch(`${apiUrl}/api/v1/health`).catch(() => undefined))?.ok, {
      timeoutMs: 30_000,
    });
    apiKey = (await readFile(join(home.path, 'credentials', 'api-key'), 'utf8')).trim();
    t = await openPage(browser, await screenshotDir());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (api?.pid !== undefined && api.exitCode === null) {
      const exited = new Promise((done) => api.once('exit', done));
      api.kill('SIGTERM');
      await exited;
    }
    await zk?.close();
    await home?.cleanup();
  });

  afterEach(() => {
    expect(t.scriptErrors).toEqual([]);
    expect(t.cspViolations).toEqual([]);
  });

  it('shows the default name while no branding is set', async () => {
    await page().goto(`${apiUrl}/`);
    await page().getByRole('heading', { name: 'Wharf console' }).waitFor();
    expect(await page().title()).toBe('Wharf console');
  });

  it('branding changes the title and colour, on the sign-in page and in the shell', async () => {
    const set = await call('PUT', '/platform/configuration/branding', BRAND);
    expect(set.status).toBe(200);
    await page().reload();
    await page().getByRole('heading', { name: 'Acme Cloud console' }).waitFor();
    expect(await page().title()).toBe('Acme Cloud console');
    await expect(background('button[type="submit"]')).resolves.toBe(BRAND_RGB);
    // The logo is an image of the api's logo route, loaded under the console's CSP.
    const logo = page().locator('[data-brand-logo]');
    await waitFor(() => page().evaluate(`document.querySelector('[data-brand-logo]').naturalWidth > 0`));
    await expect(logo.getAttribute('src')).resolves.toMatch(
      /^\/api\/v1\/platform\/configuration\/branding\/logo\?v=/,
    );
    await t.screenshot('branding-sign-in');

    await page().getByLabel('API key').fill(apiKey);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByRole('heading', { name: 'Deployments' }).waitFor();
    const header = page().locator('header.top');
    await expect(header.locator('[data-brand-name]').textContent()).resolves.toBe('Acme Cloud');
    await expect(background('header.top')).resolves.toBe(BRAND_RGB);
    expect(await page().title()).toBe('Acme Cloud console');
    await t.screenshot('branding', false);
  });

  it('prints the name in the CLI and sets branding with it', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      WHARF_API: apiUrl,
      WHARF_API_KEY: apiKey,
      WHARF_HOME: home.path,
    };
    const shown = await runCli(['branding', 'show'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Acme Cloud');
    const set = await runCli(['branding', 'set', '--primary-color', '#0a7d4f'], env);
    expect(set.code).toBe(0);
    const after = await call('GET', '/platform/configuration/branding');
    expect(after.body).toMatchObject({
      name: 'Acme Cloud',
      primary_color: '#0a7d4f',
      logo: { media_type: 'image/svg+xml' },
    });
    await page().reload();
    // The name shows once the branding is loaded, and it is applied before.
    await page().locator('header.top [data-brand-name]').waitFor();
    await expect(background('header.top')).resolves.toBe('rgb(10, 125, 79)');
  });
});
