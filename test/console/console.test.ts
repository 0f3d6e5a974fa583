/**
 * The admin console in a real browser (Debian Chromium through playwright-core) against a real
 * platform started by `wharf up --detach`. One platform and one browser serve both suites, in
 * order: the deployments part (deployments-suite.ts: sign-in, create, live plan and health,
 * resize, snapshot, shut down, delete, field errors) and then the other pages (pages-suite.ts:
 * templates, plots, API keys, events, usage, a viewer's view). Each was a file with its own
 * platform; neither needs a fresh one (the first deletes its deployment before the second starts),
 * so one start of the platform and the browser is saved.
 */
import { type Browser } from 'playwright-core';
import { startPlatform, startTogether, type Platform } from '../helpers/platform';
import { launchBrowser, screenshotDir } from './browser';
import { describeDeployments } from './deployments-suite';
import { describePages } from './pages-suite';
import { type ConsoleShared } from './shared';

jest.setTimeout(60_000);

let platform: Platform | undefined;
let browser: Browser | undefined;
let shots: string | undefined;

/** Throws when read before `beforeAll` has started it (a start that failed). */
function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`console e2e: the ${what} did not start`);
  return value;
}

const shared: ConsoleShared = {
  platform: () => started(platform, 'platform'),
  browser: () => started(browser, 'browser'),
  shots: () => started(shots, 'screenshot directory'),
};

beforeAll(async () => {
  await startTogether([
    startPlatform().then((p) => (platform = p)),
    launchBrowser().then((b) => (browser = b)),
    screenshotDir().then((s) => (shots = s)),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.down();
});

describeDeployments(shared);
describePages(shared);
