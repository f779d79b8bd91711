// Every screen against the real server as it is: each one loads without a crash and shows either
// its content or an error in plain words (never a code or raw JSON), on a desktop and on a phone.
// The screenshots are saved for review.
import { describe, expect, it } from 'vitest';
import { DESKTOP, openPage, PHONE, screenshot } from './support/browser.js';
import { signUpInContext } from './support/session.js';
import { useWebAndBrowser } from './support/suite.js';

const suite = useWebAndBrowser();

const SCREENS = [
  { path: '/whatsapp', name: 'whatsapp', heading: 'WhatsApp' },
  { path: '/send', name: 'send', heading: 'Enviar mensaje' },
  { path: '/inbox', name: 'inbox', heading: 'Bandeja' },
  { path: '/messages', name: 'messages', heading: 'Mensajes' },
  { path: '/appointments', name: 'appointments', heading: 'Citas' },
  { path: '/templates', name: 'templates', heading: 'Plantillas' },
  { path: '/templates/new', name: 'template-new', heading: 'Nueva plantilla' },
  { path: '/analytics', name: 'analytics', heading: 'Analítica' },
  { path: '/settings', name: 'settings', heading: 'Ajustes' },
  { path: '/integrations', name: 'integrations', heading: 'Integraciones' },
];

const RAW = /route_not_found|No route (GET|POST)|"error":|\[object Object\]|undefined|NaN/;

describe.each([
  { device: 'desktop', viewport: DESKTOP, isMobile: false },
  { device: 'phone', viewport: PHONE, isMobile: true },
])('every screen on a $device', ({ device, viewport, isMobile }) => {
  it('loads, settles and speaks plainly', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, viewport, {
      isMobile,
    });
    await signUpInContext(context, suite.web.url);
    for (const screen of SCREENS) {
      await page.goto(screen.path);
      await page.getByRole('heading', { level: 1, name: screen.heading }).waitFor();
      // Every screen settles: its data or a plain-words error, never an endless spinner.
      await page.locator('.loading').waitFor({ state: 'detached', timeout: 15_000 });
      const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
      expect(text, `${screen.path} shows technical text`).not.toMatch(RAW);
      if (device === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${screen.path} overflows the phone width`).toBeLessThanOrEqual(0);
      }
      await screenshot(page, `${screen.name}-${device}`);
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);
});

describe('public profile page', () => {
  it('says plainly when an advisor has no public button', async () => {
    const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, PHONE, {
      isMobile: true,
    });
    await page.goto('/p/nadie-con-este-nombre');
    await page.getByTestId('public-unavailable').waitFor();
    await page.getByRole('heading', { name: 'Este contacto no está disponible' }).waitFor();
    await screenshot(page, 'public-unavailable-phone');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('keeps unknown API paths a JSON 404 and serves the app for page paths', async () => {
    const api = await fetch(`${suite.web.url}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe('route_not_found');
    const pageRes = await fetch(`${suite.web.url}/p/ana-lopez`);
    expect(pageRes.status).toBe(200);
    expect(pageRes.headers.get('content-type')).toContain('text/html');
    expect(await pageRes.text()).toContain('<div id="root">');
    const missingAsset = await fetch(`${suite.web.url}/assets/missing.js`);
    expect(missingAsset.status).toBe(404);
    const embed = await fetch(`${suite.web.url}/embed.js`);
    expect(embed.status).toBe(200);
    expect(embed.headers.get('content-type')).toContain('javascript');
    await embed.text();
  });
});

describe('the appointments screen', () => {
  // Far east and far west of UTC, 25 hours apart: always on different dates, and at any hour
  // one of them is on another date than UTC.
  it.each([
    ['Pacific/Kiritimati', 'Pacific/Pago_Pago'],
    ['Pacific/Pago_Pago', 'Pacific/Kiritimati'],
  ])(
    "starts from today in the advisor's zone (%s), not the browser's (%s) or UTC's",
    async (zone, browserZone) => {
      const { page, context, pageErrors } = await openPage(suite.browser, suite.web.url, DESKTOP, {
        timezoneId: browserZone,
      });
      await signUpInContext(context, suite.web.url);
      const saved = await context.request.put(`${suite.web.url}/api/whatsapp/config`, {
        data: { settings: { timezone: zone } },
        headers: { origin: suite.web.url },
      });
      expect(saved.status()).toBe(200);
      await page.goto('/appointments');
      const from = page.locator('input[type="date"]');
      await from.waitFor();
      const advisorToday = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
      await expect.poll(() => from.inputValue()).toBe(advisorToday);
      expect(pageErrors).toEqual([]);
      await context.close();
    },
  );
});
