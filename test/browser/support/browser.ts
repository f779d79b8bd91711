// Debian's Chromium driven by playwright-core (no browser download), plus small page helpers.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

export function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    // One line that says what to do, instead of playwright's launch stack trace.
    const hint = `browser tests: no Chromium at ${executablePath}; run scripts/install-test-deps.sh (apt-get install chromium fonts-noto-color-emoji) or set CHROMIUM_PATH`;
    const err = new Error(hint);
    err.stack = hint;
    throw err;
  }
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageWatch {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions in the page: a correct screen has none. */
  pageErrors: Error[];
}

export async function openPage(
  browser: Browser,
  baseURL: string,
  viewport = DESKTOP,
  extra: { isMobile?: boolean; timezoneId?: string } = {},
): Promise<PageWatch> {
  const context = await browser.newContext({
    baseURL,
    viewport,
    locale: 'es-ES',
    timezoneId: extra.timezoneId ?? 'Europe/Madrid',
    isMobile: extra.isMobile,
    hasTouch: extra.isMobile,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const pageErrors: Error[] = [];
  page.on('pageerror', (err) => pageErrors.push(err));
  return { page, context, pageErrors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // Let fonts, transitions and spinners settle so screenshots are stable.
  // A sticky header would otherwise be drawn where the page happens to be scrolled.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(150);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let counter = 0;
export function uniqueEmail(): string {
  return `advisor${Date.now()}${counter++}${Math.floor(Math.random() * 1e6)}@example.test`;
}
