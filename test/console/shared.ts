/** What console.test.ts starts once and hands its suites (read inside hooks and tests only). */
import { type Browser } from 'playwright-core';
import { type Platform } from '../helpers/platform';

/** The one platform, browser and screenshot directory every console suite in the file shares. */
export interface ConsoleShared {
  platform(): Platform;
  browser(): Browser;
  shots(): string;
}
