/**
 * The catalog, keys, events, usage and plot pages of the console's browser suite (run by
 * console.test.ts on its shared platform and browser, after the deployments part has deleted its
 * deployment): create an etcd deployment from a template (a size its configuration refuses comes
 * back as the api's field error), the plan-duration and capacity plots (one bar per zone), an
 * admin creates an API key and sees its secret once, and a viewer key is offered nothing its role
 * forbids. The tests run in order.
 */
import { type Browser } from 'playwright-core';
import { type Platform } from '../helpers/platform';
import { openPage, type TestPage } from './browser';
import { type ConsoleShared } from './shared';

/** Long enough for a 1-member etcd plan on a busy 2-core box; far below the plan's own timeout. */
const PLAN_MS = 45_000;

/** Registers the pages suite; it runs on `shared`'s platform and browser, after the deployments suite. */
export function describePages(shared: ConsoleShared): void {
  describe('the console pages beyond deployments', () => {
    let platform: Platform;
    let browser: Browser;
    let shots: string;
    let admin: TestPage;
    let id: string;
    let viewerKey: string;

    const page = () => admin.page;
    const checked: TestPage[] = [];

    /** A fresh page signed in with `key`, once the console knows the key's role. */
    async function signIn(key: string): Promise<TestPage> {
      const t = await openPage(browser, shots);
      checked.push(t);
      await t.page.goto(`${platform.apiUrl}/`);
      await t.page.getByLabel('API key').fill(key);
      const role = t.page.waitForResponse((r) => r.url().endsWith('/api/v1/user') && r.ok());
      await t.page.keyboard.press('Enter');
      await role;
      await t.page.getByRole('heading', { name: 'Deployments' }).waitFor();
      return t;
    }

    beforeAll(async () => {
      platform = shared.platform();
      browser = shared.browser();
      shots = shared.shots();
      admin = await signIn(platform.apiKey);
    });

    afterEach(() => {
      for (const t of checked) {
        expect(t.scriptErrors).toEqual([]);
        expect(t.cspViolations).toEqual([]);
      }
    });

    it('lists the templates and the instance configurations with their sizes', async () => {
      await page().getByRole('link', { name: 'Templates' }).click();
      await page().locator('[data-template="etcd-default"]').waitFor();
      const small = page().locator('[data-configuration="etcd.small"] [data-sizes]');
      await expect(small.textContent()).resolves.toBe('256, 512 MB (default 256)');
      await expect(
        page().locator('[data-configuration="etcd.xlarge"] [data-sizes]').textContent(),
      ).resolves.toBe('8192 MB (default 8192)');
      await admin.screenshot('templates');
    });

    it("creates from a template: the api's refusal of a size shows at the field, then the deployment runs", async () => {
      await page().getByRole('link', { name: 'Create from etcd-default' }).click();
      await page().locator('[data-template-summary="etcd-default"]').waitFor();
      await expect(page().getByLabel('Template', { exact: true }).inputValue()).resolves.toBe('etcd-default');
      await page().getByLabel('Name', { exact: true }).fill('from-template');
      await page().getByLabel('Zones', { exact: true }).fill('1');
      await page().getByLabel('Memory per instance (MB)').fill('300');
      await page().getByRole('button', { name: 'Create', exact: true }).click();
      // etcd.small allows 256 or 512 MB: only the api knows, and names the override.
      await page().locator('[data-field-error="template-size"]').waitFor();
      await admin.screenshot('create-template');
      await page().getByLabel('Memory per instance (MB)').fill('');
      await page().getByRole('button', { name: 'Create', exact: true }).click();
      await page().waitForURL(/#\/deployments\/[a-z0-9-]+$/);
      id = /#\/deployments\/([a-z0-9-]+)$/.exec(page().url())![1]!;
      await page().locator('[data-attempt-status="success"]').waitFor({ timeout: PLAN_MS });
      await expect(page().getByRole('heading', { level: 1 }).textContent()).resolves.toBe('from-template');
      await expect(page().locator('[data-instance] td:nth-child(4)').allTextContents()).resolves.toEqual([
        '256 MB',
      ]);
      const api = await platform.api('GET', `/deployments/${id}`);
      expect(api.body.instances).toHaveLength(1);
      // The finished attempt has a column in the plan-durations plot, its height its duration.
      const bar = page().locator('[data-plot="durations"] [data-duration-bar] rect');
      await expect(bar.count()).resolves.toBe(1);
      expect(Number(await bar.getAttribute('height'))).toBeGreaterThan(0);
      await admin.screenshot('deployment-durations');
    });

    it('plots capacity per zone: one stacked bar per zone, used memory where the instance is', async () => {
      await page().getByRole('link', { name: 'Platform' }).click();
      const bars = page().locator('[data-plot="capacity"] [data-zone-bar]');
      await bars.first().waitFor();
      const zones = await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-zone-bar')));
      expect(zones).toEqual(['zone-a', 'zone-b', 'zone-c']);
      const used = await page()
        .locator('[data-plot="capacity"] rect[data-used]')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-used'))));
      expect(used.reduce((a, b) => a + b, 0)).toBe(256);
      expect(used.filter((u) => u === 256)).toHaveLength(1);
      await page()
        .locator('[data-plot="capacity"]')
        .screenshot({ path: `${shots}/capacity-plot.png` });
    });

    it('creates an API key and shows its secret exactly once', async () => {
      await page().getByRole('link', { name: 'API keys' }).click();
      await page().getByRole('table', { name: 'API keys' }).locator('[data-key]').first().waitFor();
      await page().getByLabel('Description').fill('console viewer');
      await page().getByLabel('Role', { exact: true }).selectOption('viewer');
      await page().getByRole('button', { name: 'Create API key' }).click();
      const secret = page().locator('[data-secret]');
      viewerKey = (await secret.textContent())!.trim();
      expect(viewerKey).toMatch(/^wharf_k[0-9a-f]+_/);
      await expect(page().getByRole('alert').textContent()).resolves.toContain('only time it is shown');
      await admin.screenshot('api-key-created');
      const keyId = viewerKey.split('_')[1]!;
      await expect(page().locator(`[data-key="${keyId}"]`).textContent()).resolves.toContain('viewer');
      await page().getByRole('button', { name: 'Done' }).click();
      await expect(secret.count()).resolves.toBe(0);
      await page().reload();
      await page().locator(`[data-key="${keyId}"]`).waitFor();
      await expect(page().locator('[data-secret]').count()).resolves.toBe(0);
      expect(await page().content()).not.toContain(viewerKey);
    });

    it('shows events, dead letters for an admin, and usage totals', async () => {
      await page().getByRole('link', { name: 'Events' }).click();
      await page().getByRole('table', { name: 'Events' }).waitFor();
      await page().getByRole('heading', { name: 'Webhook dead letters' }).waitFor();
      await admin.screenshot('events');
      const pricing = await platform.api('PUT', '/platform/configuration/pricing', {
        currency: 'EUR',
        instance_hour_micros: 10_000,
        memory_gb_hour_micros: 7_000,
        cpu_hour_micros: 2_000,
        storage_gb_hour_micros: 100,
      });
      expect(pricing.status).toBe(200);
      await page().getByRole('link', { name: 'Usage' }).click();
      await expect(page().locator('[data-usage-total]').textContent()).resolves.toMatch(/Total\d+\.\d\d EUR/);
      await admin.screenshot('usage');
    });

    it('offers a viewer nothing its role forbids', async () => {
      const viewer = await signIn(viewerKey);
      const v = viewer.page;
      await v.locator(`[data-deployment="${id}"]`).waitFor();
      await expect(v.getByRole('link', { name: 'Create deployment' }).count()).resolves.toBe(0);
      await expect(v.getByRole('link', { name: 'API keys' }).count()).resolves.toBe(0);
      await viewer.screenshot('viewer-deployments');
      await v.getByRole('link', { name: 'from-template' }).click();
      await v.locator('[data-healthy="true"]').waitFor();
      await expect(v.getByRole('button', { name: 'Delete deployment' }).count()).resolves.toBe(0);
      await expect(v.getByRole('button', { name: 'Apply' }).count()).resolves.toBe(0);
      for (const action of ['Restart', 'Shut down', 'Take snapshot']) {
        await expect(v.getByRole('button', { name: action }).count()).resolves.toBe(0);
      }
      await v.getByRole('link', { name: 'Templates' }).click();
      await v.locator('[data-template="etcd-default"]').waitFor();
      await expect(v.getByRole('link', { name: /^Create from/ }).count()).resolves.toBe(0);
      await v.getByRole('link', { name: 'Events' }).click();
      await v.getByRole('table', { name: 'Events' }).waitFor();
      await expect(v.getByRole('heading', { name: 'Webhook dead letters' }).count()).resolves.toBe(0);
      await v.goto(`${platform.apiUrl}/#/keys`);
      await v.getByText('Only a platform-admin key manages API keys.').waitFor();
      await expect(v.getByRole('button', { name: 'Create API key' }).count()).resolves.toBe(0);
    });
  });
}
