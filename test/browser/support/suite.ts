// What every browser test file starts with: the real service (workers and the built dashboard
// included) and one Debian Chromium, started together before the file's tests, closed after.
// A real server and a real browser on a busy machine: each test gets room (testTimeout).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, vi } from 'vitest';
import type { TestServiceOptions } from '../../support/service.js';
import { DESKTOP, launchBrowser, PHONE } from './browser.js';
import { startWebService, type WebService } from './web-service.js';

export interface BrowserSuite {
  readonly web: WebService;
  readonly browser: Browser;
}

export function useWebAndBrowser(
  options: { service?: TestServiceOptions; testTimeoutMs?: number } = {},
): BrowserSuite {
  vi.setConfig({ testTimeout: options.testTimeoutMs ?? 120_000 });
  let web: WebService | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebService(options.service), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet (use it inside a test)`);
    return value;
  };
  return {
    get web() {
      return started(web, 'the web service');
    },
    get browser() {
      return started(browser, 'the browser');
    },
  };
}

/** The two sizes every screen is checked at. */
export const DEVICES = [
  { device: 'desktop', viewport: DESKTOP, isMobile: false },
  { device: 'phone', viewport: PHONE, isMobile: true },
] as const;
