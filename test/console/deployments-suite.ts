/**
 * The deployments part of the console's browser suite (run by console.test.ts on its shared
 * platform and browser): sign in, create an etcd deployment and watch its plan steps and health
 * arrive live over the activity stream, resize it, snapshot, shut down and start it, delete it,
 * and bad input shown at the field it came from, whether the page's validators or the api found
 * it. The tests run in order on one browser page; the deployment is deleted at the end.
 */
import { type Request } from 'playwright-core';
import { type Platform } from '../helpers/platform';
import { openPage, type TestPage } from './browser';
import { type ConsoleShared } from './shared';

/** Long enough for a 3-member etcd plan on a busy 2-core box; far below the plan's own timeout. */
const PLAN_MS = 45_000;

/** Registers the deployments suite; it runs on `shared`'s platform and browser. */
export function describeDeployments(shared: ConsoleShared): void {
  describe('the admin console in a browser', () => {
    let platform: Platform;
    let t: TestPage;
    let id: string;
    const requests: string[] = [];

    const page = () => t.page;
    const goto = (hash: string) => page().goto(`${platform.apiUrl}/${hash}`);

    beforeAll(async () => {
      platform = shared.platform();
      t = await openPage(shared.browser(), shared.shots());
      page().on('request', (req: Request) => requests.push(`${req.method()} ${new URL(req.url()).pathname}`));
    });

    afterEach(() => {
      expect(t.scriptErrors).toEqual([]);
      expect(t.cspViolations).toEqual([]);
    });

    it('refuses a wrong API key with a clear message', async () => {
      await goto('');
      await page().getByLabel('API key').fill('wharf_nosuchkey_c2VjcmV0c2VjcmV0c2VjcmV0');
      await page().getByRole('button', { name: 'Sign in' }).click();
      await expect(page().getByRole('alert').textContent()).resolves.toContain('The API key was refused');
      await t.screenshot('sign-in-refused');
      expect(await page().evaluate('sessionStorage.length')).toBe(0);
    });

    it('signs in with the keyboard alone and keeps the key out of the URL', async () => {
      await page().getByLabel('API key').fill('');
      await page().keyboard.press('Tab');
      await page().getByLabel('API key').focus();
      await page().keyboard.type(platform.apiKey);
      await page().keyboard.press('Enter');
      await page().getByRole('heading', { name: 'Deployments' }).waitFor();
      expect(page().url()).not.toContain(platform.apiKey);
      expect(await page().evaluate("sessionStorage.getItem('wharf.apiKey')")).toBe(platform.apiKey);
      await page().getByText('No deployments yet.').waitFor();
      await t.screenshot('deployments-empty');
    });

    it('shows the schema validator error at the field before anything is sent', async () => {
      await page().getByRole('link', { name: 'Create deployment' }).click();
      await page().getByLabel('Name').fill('orders');
      await page().getByLabel('Zones').fill('40');
      const posts = requests.filter((r) => r.startsWith('POST')).length;
      await page().getByRole('button', { name: 'Create' }).click();
      const error = page().locator('[data-field-error="zone_count"]');
      await expect(error.textContent()).resolves.toBe('must be <= 16');
      await expect(page().getByLabel('Zones').getAttribute('aria-invalid')).resolves.toBe('true');
      expect(requests.filter((r) => r.startsWith('POST')).length).toBe(posts);
      await t.screenshot('create-invalid');
    });

    it("shows the api's own field error for what only the api knows (an unsupported version)", async () => {
      await page().getByLabel('Zones').fill('3');
      await page().getByLabel('Version').fill('9.9');
      await page().getByRole('button', { name: 'Create' }).click();
      const error = page().locator('[data-field-error="version"]');
      await expect(error.textContent()).resolves.toMatch(/3\.4/);
      expect(requests).toContain('POST /api/v1/deployments');
    });

    it('edits the request as JSON with live schema errors listed at their paths', async () => {
      await page().getByRole('button', { name: 'Edit as JSON' }).click();
      const editor = page().getByLabel('Create request (JSON)');
      const request = JSON.parse(await editor.inputValue());
      expect(request.name).toBe('orders');
      request.resources.etcd[0].plan.cluster_topology[0].zone_count = 40;
      request.colour = 'blue';
      await editor.fill(JSON.stringify(request, null, 2));
      const zones = page().locator(
        '[data-issue-path="resources.etcd[0].plan.cluster_topology[0].zone_count"]',
      );
      await expect(zones.textContent()).resolves.toContain('must be <= 16');
      await expect(page().locator('[data-issue-path="colour"]').textContent()).resolves.toContain(
        'is not allowed here',
      );
      await expect(page().getByRole('button', { name: 'Create' }).isDisabled()).resolves.toBe(true);
      await t.screenshot('create-json');
      await editor.fill('{"name": ');
      await expect(page().locator('[data-issue-path=""]').textContent()).resolves.toContain('not valid JSON');
      await page().getByRole('button', { name: 'Form' }).click();
    });

    it('creates an etcd deployment and shows its plan steps and health live, three instances in three zones', async () => {
      await page().getByLabel('Version').fill('3.4');
      await page().getByRole('button', { name: 'Create' }).click();
      await page().waitForURL(/#\/deployments\/[a-z0-9-]+$/);
      id = /#\/deployments\/([a-z0-9-]+)$/.exec(page().url())![1]!;
      await page().locator('[data-step]').first().waitFor();
      await page().locator('[data-attempt-status="success"]').waitFor({ timeout: PLAN_MS });
      await page().locator('[data-healthy="true"]').waitFor({ timeout: PLAN_MS });
      const steps = await page()
        .locator('[data-step]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
      expect(steps).toContain('allocate-instances');
      expect(steps.at(-1)).toBe('plan-completed');
      const zones = await page().locator('[data-instance] td:nth-child(2)').allTextContents();
      expect(new Set(zones)).toEqual(new Set(['zone-a', 'zone-b', 'zone-c']));
      // Pushed, not polled: one stream request, no repeated GETs of the deployment.
      expect(requests.filter((r) => r.endsWith('/plan/activity/_stream')).length).toBe(1);
      expect(requests.filter((r) => r === `GET /api/v1/deployments/${id}`)).toEqual([]);
      await t.screenshot('deployment');
    });

    it('lists the deployment and filters the list', async () => {
      await page().getByRole('link', { name: 'Deployments', exact: true }).click();
      const row = page().locator(`[data-deployment="${id}"]`);
      await expect(row.textContent()).resolves.toContain('orders');
      await t.screenshot('deployments');
      await page().getByLabel('Filter').fill('no-such-name');
      await page().getByText('Nothing matches the filter.').waitFor();
      await page().getByLabel('Filter').fill('ord');
      await row.waitFor();
    });

    it('resizes the deployment and shows the new size once the plan completed', async () => {
      await page().getByRole('link', { name: 'orders' }).click();
      await page().locator('[data-healthy="true"]').waitFor();
      await page().getByLabel('Memory per instance (MB)').fill('384');
      await page().getByRole('button', { name: 'Apply' }).click();
      await page().getByRole('status').filter({ hasText: 'Plan submitted.' }).waitFor();
      await page()
        .locator('[data-instance] td:nth-child(4)')
        .filter({ hasText: '256 MB' })
        .first()
        .waitFor({ state: 'detached', timeout: PLAN_MS });
      await page().locator('[data-attempt-status="success"]').waitFor({ timeout: PLAN_MS });
      const sizes = await page().locator('[data-instance] td:nth-child(4)').allTextContents();
      expect(sizes).toEqual(['384 MB', '384 MB', '384 MB']);
      const api = await platform.api('GET', `/deployments/${id}`);
      expect(api.body.instances.map((i: any) => i.memory_mb)).toEqual([384, 384, 384]);
    });

    it('takes a snapshot and restores it in place, then shuts the deployment down and starts it', async () => {
      const dialog = (title: RegExp) => page().getByRole('dialog', { name: title });
      await page().getByRole('button', { name: 'Take snapshot' }).click();
      await dialog(/^Take a snapshot/)
        .getByRole('button', { name: 'Take snapshot' })
        .click();
      const row = page().locator('[data-snapshot]').first();
      await row.waitFor({ timeout: PLAN_MS });
      const snapshot = await row.getAttribute('data-snapshot');
      const listed = await platform.api('GET', `/deployments/${id}/snapshots`);
      expect(listed.body.snapshots.map((s: any) => s.id)).toContain(snapshot);
      await t.screenshot('deployment-snapshots');

      await row.getByRole('button', { name: 'Restore' }).click();
      await dialog(/^Restore /)
        .getByRole('button', { name: 'Restore' })
        .click();
      await page().locator('[data-step="restore-snapshot"]').waitFor({ timeout: PLAN_MS });
      await page().locator('[data-attempt-status="success"]').waitFor({ timeout: PLAN_MS });

      await page().getByRole('button', { name: 'Shut down' }).click();
      await dialog(/^Shut down /)
        .getByRole('button', { name: 'Shut down' })
        .click();
      await page().locator('[data-deployment-status="stopped"]').waitFor({ timeout: PLAN_MS });
      expect((await platform.api('GET', `/deployments/${id}`)).body.status).toBe('stopped');
      // Vacate from the platform page reaches the api; its refusal (nothing moves off a shut-down
      // deployment) stays in the dialog and nothing is written.
      await page().getByRole('link', { name: 'Platform' }).click();
      await page()
        .locator('[data-allocator]')
        .first()
        .getByRole('button', { name: 'Vacate', exact: true })
        .click();
      const vacate = dialog(/^Move every instance off /);
      await vacate.getByRole('button', { name: 'Vacate', exact: true }).click();
      await vacate.getByText('is shut down; start it first').waitFor();
      await vacate.getByRole('button', { name: 'Cancel' }).click();
      expect((await platform.api('GET', `/deployments/${id}/plan`)).body.pending ?? null).toBeNull();
      await goto(`#/deployments/${id}`);
      await page().getByRole('button', { name: 'Start', exact: true }).click();
      await dialog(/^Start /)
        .getByRole('button', { name: 'Start', exact: true })
        .click();
      await page()
        .locator('[data-deployment-status="stopped"]')
        .waitFor({ state: 'detached', timeout: PLAN_MS });
      await page().locator('[data-attempt-status="success"]').waitFor({ timeout: PLAN_MS });
      await page().locator('[data-healthy="true"]').waitFor({ timeout: PLAN_MS });
    });

    it('shows ZooKeeper, allocators with their used memory, the hosts and the proxies', async () => {
      await page().getByRole('link', { name: 'Platform' }).click();
      const meters = page().getByRole('table', { name: 'Allocators' }).getByRole('meter');
      await meters.first().waitFor();
      const used = await meters.evaluateAll((els) => els.map((e) => Number(e.getAttribute('aria-valuenow'))));
      expect(used.reduce((a, b) => a + b, 0)).toBe(3 * 384);
      for (const zone of ['zone-a', 'zone-b', 'zone-c']) {
        const meter = page().locator(`[data-zone="${zone}"] [role="meter"]`);
        await expect(meter.getAttribute('aria-valuenow')).resolves.toBe('384');
      }
      await expect(page().locator('[data-host]').count()).resolves.toBe(3);
      await page().locator('[data-zookeeper="connected"]').waitFor();
      // `wharf up` runs a director on host-1, which owns ZooKeeper: a healthy quorum of one, its leader.
      const quorum = page().getByRole('table', { name: 'ZooKeeper quorum' }).locator('[data-director]');
      await quorum.first().waitFor();
      expect(await quorum.count()).toBe(1);
      expect(await quorum.first().getAttribute('data-director')).toMatch(/^director-.*host-1$/);
      expect(await quorum.first().locator('td').nth(1).textContent()).toBe('healthy');
      expect(await quorum.first().locator('td').nth(3).textContent()).toBe('leader');
      await page()
        .locator('[data-enrolment]')
        .getByText(/^sha256:[0-9a-f]{64}$/)
        .waitFor();
      await page().locator('[data-proxy]').nth(1).waitFor();
      await t.screenshot('platform');
    });

    it('deletes only after confirmation', async () => {
      await goto(`#/deployments/${id}`);
      await page().getByRole('button', { name: 'Delete deployment' }).click();
      await page().getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      expect((await platform.api('GET', `/deployments/${id}`)).body.deleting).toBe(false);
      await page().getByRole('button', { name: 'Delete deployment' }).click();
      await t.screenshot('delete-confirm');
      await page().getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
      await page().getByText('This deployment does not exist').waitFor({ timeout: PLAN_MS });
      expect((await platform.api('GET', `/deployments/${id}`)).status).toBe(404);
    });

    it('renders the API reference page under its CSP', async () => {
      await page().goto(`${platform.apiUrl}/api/v1/docs`);
      await page().getByRole('heading', { name: 'Wharf API' }).waitFor();
      await expect(page().locator('#createDeployment').isVisible()).resolves.toBe(true);
      await t.screenshot('api-docs', false);
    });
  });
}
