/**
 * A headless Debian Chromium driven by playwright-core (never a browser download), with what the
 * console tests check on every page: script errors and CSP violations are collected, and
 * screenshots go to `WHARF_SCREENSHOT_DIR` when it is set (the committed set in docs/console/).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The browser binary: Debian's `chromium` package (scripts/bootstrap.sh installs it). */
export const CHROMIUM = process.env.WHARF_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet headless Chromium that talks to nothing but the pages it is sent to. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A browser page plus what went wrong on it. */
export interface TestPage {
  page: Page;
  /** Uncaught script errors. */
  scriptErrors: string[];
  /** Console messages reporting a Content-Security-Policy violation. */
  cspViolations: string[];
  /** Saves a screenshot named `name.png` (the whole page unless `fullPage` is false); returns its path. */
  screenshot(name: string, fullPage?: boolean): Promise<string>;
}

/** Starts the browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** Where screenshots go: `WHARF_SCREENSHOT_DIR`, or a temporary directory. */
export async function screenshotDir(): Promise<string> {
  const dir = process.env.WHARF_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'wharf-console-shots-')));
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A new page in a fresh context (its own sessionStorage). */
export async function openPage(browser: Browser, shots: string): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const scriptErrors: string[] = [];
  const cspViolations: string[] = [];
  page.on('pageerror', (err) => scriptErrors.push(err.message));
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return {
    page,
    scriptErrors,
    cspViolations,
    screenshot: async (name, fullPage = true) => {
      const path = join(shots, `${name}.png`);
      await page.screenshot({ path, fullPage });
      return path;
    },
  };
}
