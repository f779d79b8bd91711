// The WhatsApp tab the way an advisor uses it, against the real service in sandbox mode: the QR
// replaced live as the gateway rotates it, the countdown running out and a new code on request,
// the sandbox banner, the number and profile once the phone scans, and Disconnect and Remove each
// asking first. What the page shows is checked against the API and the emulated gateway.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { newPhone } from '../appointments/support.js';
import { HttpClient } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor } from '../support/whatsapp.js';
import { holdRoute, horizontalOverflow, shotOnFailure } from './support/advisor-actions.js';
import { DESKTOP, launchBrowser, openPage, PHONE, screenshot } from './support/browser.js';
import { signUpInContext, useSessionOf } from './support/session.js';
import { startWebService, type WebService } from './support/web-service.js';

vi.setConfig({ testTimeout: 120_000 });

// The usual service: the gateway offers a new QR as the last one runs out (45 s).
let web: WebService;
// A gateway that rotates its QR every two seconds, to watch the page follow it.
let rotating: WebService;
let browser: Browser;

beforeAll(async () => {
  [web, rotating, browser] = await Promise.all([
    startWebService(),
    startWebService({ emulator: { qrTimeoutMs: 2_000, qrLimit: 100 } }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rotating?.close();
  await web?.close();
});

const devices = [
  { device: 'desktop', viewport: DESKTOP, isMobile: false },
  { device: 'phone', viewport: PHONE, isMobile: true },
] as const;

const badge = (page: Page, status: string) =>
  page.locator(`[data-testid="connection-status"] [data-status="${status}"]`);
const qrSrc = (page: Page) => page.getByTestId('qr-image').getAttribute('src');

async function configOf(context: BrowserContext, baseUrl: string): Promise<any> {
  const res = await context.request.get(`${baseUrl}/api/whatsapp/config`);
  expect(res.status()).toBe(200);
  return res.json();
}

async function emulatorInstance(service: WebService, name: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${service.service.emulatorUrl}/_emulator/instances/${encodeURIComponent(name)}`);
  return { status: res.status, body: await res.json() };
}

/** Signs a new advisor up and shows their QR, the way the tab starts. */
async function showQr(
  page: Page,
  context: BrowserContext,
  service: WebService,
  name: string,
): Promise<string> {
  await signUpInContext(context, service.url, name);
  await page.goto('/whatsapp');
  await page.getByRole('button', { name: 'Conectar WhatsApp Business' }).click();
  await page.getByTestId('qr-image').waitFor();
  await badge(page, 'qr_pending').waitFor();
  return (await qrSrc(page))!;
}

describe.each(devices)('connecting on a $device', ({ device, viewport, isMobile }) => {
  it('shows the sandbox banner and the QR, then the number and profile the phone linked', async () => {
    const { page, context, pageErrors } = await openPage(browser, web.url, viewport, { isMobile });
    shotOnFailure(page, `whatsapp-connect-${device}`);
    await showQr(page, context, web, 'Marta Sánchez');
    await page.getByRole('note').getByText('Modo sandbox.').waitFor();
    await page
      .getByTestId('qr-countdown')
      .getByText(/^El código se renueva en 0:4\d$/)
      .waitFor();
    await expect(
      page.getByTestId('qr-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    ).resolves.toBe(true);
    expect(await horizontalOverflow(page), 'the QR state overflows').toBeLessThanOrEqual(0);
    await screenshot(page, `whatsapp-qr-${device}`);

    // The phone scans: WhatsApp reports the linked number and the profile name.
    const phone = newPhone();
    const { instanceName } = await configOf(context, web.url);
    const scan = await fetch(`${web.service.emulatorUrl}/_emulator/instances/${instanceName}/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone, profileName: 'Marta · Nutrición' }),
    });
    expect(scan.status).toBe(200);
    await badge(page, 'connected').waitFor();
    await page.getByRole('status').getByText('¡WhatsApp conectado!').waitFor();
    const shown = parsePhoneNumberFromString(phone)!.formatInternational();
    await expect(page.getByTestId('connected-phone').textContent()).resolves.toBe(shown);
    await page.locator('.facts').getByText('Marta · Nutrición').waitFor();
    await page.getByTestId('qr-image').waitFor({ state: 'detached' });
    expect(await configOf(context, web.url)).toMatchObject({
      status: 'connected',
      phoneNumber: phone,
      profileName: 'Marta · Nutrición',
      qr: null,
    });
    expect(await horizontalOverflow(page), 'the connected state overflows').toBeLessThanOrEqual(0);
    await screenshot(page, `whatsapp-connected-${device}`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

// The Connect button is wide (a large button, a logo, three words): at 375 px it stuck out of its
// card by about 6 px in every language, as the dashboard forbids no-wrap buttons nothing.
describe('the Connect button on a phone', () => {
  it.each([
    ['es', 'Conectar WhatsApp Business'],
    ['en', 'Connect WhatsApp Business'],
    ['pt', 'Conectar WhatsApp Business'],
  ])('lies inside its card in %s', async (lang, name) => {
    const { page, context, pageErrors } = await openPage(browser, web.url, PHONE, { isMobile: true });
    shotOnFailure(page, `whatsapp-connect-button-${lang}`);
    await context.addInitScript((l) => localStorage.setItem('ww.lang', l), lang);
    await signUpInContext(context, web.url, 'Marta Sánchez');
    await page.goto('/whatsapp');
    const button = page.getByRole('button', { name });
    await button.waitFor();
    // Inside the card's padding, not merely its border.
    const { inner, card } = await button.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const section = el.closest('.card')!;
      const c = section.getBoundingClientRect();
      const style = getComputedStyle(section);
      const px = (v: string) => parseFloat(v);
      return {
        inner: { left: r.left, right: r.right },
        card: {
          left: c.left + px(style.borderLeftWidth) + px(style.paddingLeft),
          right: c.right - px(style.borderRightWidth) - px(style.paddingRight),
        },
      };
    });
    const where = `button ${JSON.stringify(inner)}, card's content ${JSON.stringify(card)}`;
    expect(inner.left, where).toBeGreaterThanOrEqual(card.left);
    expect(inner.right, where).toBeLessThanOrEqual(card.right);
    await screenshot(page, `whatsapp-connect-button-${lang}-phone`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('an account linked before', () => {
  it('opens the tab connected without announcing a new connection', async () => {
    const eva = await connectedAdvisor(web.service, 'Eva Martín');
    const { page, context, pageErrors } = await openPage(browser, web.url, DESKTOP);
    shotOnFailure(page, 'whatsapp-linked-before');
    await useSessionOf(context, eva.client);
    // The event stream opens with the current status; hold the screen's own read until that has
    // arrived, the order a slow config answer gives.
    const release = await holdRoute(page, '**/api/whatsapp/config');
    const stream = page.waitForResponse((r) => r.url().endsWith('/api/whatsapp/events'));
    await page.goto('/whatsapp');
    await stream;
    await page.waitForTimeout(500);
    release();
    await badge(page, 'connected').waitFor();
    await page.getByTestId('connected-phone').waitFor();
    await expect(page.getByRole('status').getByText('¡WhatsApp conectado!').count()).resolves.toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('the QR code', () => {
  it('is replaced live each time the gateway rotates it', async () => {
    const { page, context, pageErrors } = await openPage(browser, rotating.url, DESKTOP);
    shotOnFailure(page, 'whatsapp-qr-rotation');
    const first = await showQr(page, context, rotating, 'Clara Ruiz');
    // A reload would drop this mark: the new codes must arrive in this very page.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const seen = [first];
    for (let i = 0; i < 2; i++) {
      const next = await waitFor(
        () => qrSrc(page),
        (src) => src !== null && !seen.includes(src),
        { what: `QR number ${seen.length + 1}`, timeoutMs: 15_000 },
      );
      seen.push(next!);
    }
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // What the page shows is the gateway's latest code, as the API has it.
    await waitFor(
      async () => [await qrSrc(page), (await configOf(context, rotating.url)).qr?.image],
      ([shown, stored]) => shown === stored,
      { what: 'the page and the API on the same QR', timeoutMs: 15_000 },
    );
    await page.getByTestId('qr-countdown').waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('counts down to its expiry, then says so and fetches the current code on request', async () => {
    const { page, context, pageErrors } = await openPage(browser, rotating.url, DESKTOP);
    shotOnFailure(page, 'whatsapp-qr-expiry');
    // The page's clock is ours to move; the server and the gateway keep real time.
    await page.clock.install();
    await showQr(page, context, rotating, 'Inés Navarro');
    const { instanceName } = await configOf(context, rotating.url);
    const emulator = new HttpClient(rotating.service.emulatorUrl);
    // The gateway's new codes stop reaching us (lost webhooks): the code on screen grows old.
    await emulator.put('/_emulator/faults', { dropWebhookRate: 1 });
    try {
      // Once the gateway has moved on past what we were told, what the page shows stays put.
      const count = async () => (await emulator.get(`/_emulator/instances/${instanceName}`)).body.qrCount;
      const before = await count();
      await waitFor(count, (n) => n > before, { what: 'the gateway rotating its code' });
      const [, { qr }] = await waitFor(
        async () => [await qrSrc(page), await configOf(context, rotating.url)] as const,
        ([shown, config]) => shown === config.qr?.image,
        { what: 'the page on the last code that got through' },
      );
      const countdown = page.getByTestId('qr-countdown');
      const secondsLeft = async () => {
        const [, min, sec] = (await countdown.textContent())!.match(/(\d+):(\d\d)/)!;
        return Number(min) * 60 + Number(sec);
      };
      const start = await secondsLeft();
      expect(start).toBeGreaterThan(30);
      await waitFor(secondsLeft, (s) => s <= start - 2, { what: 'the countdown going down' });

      await page.clock.pauseAt(new Date(Date.parse(qr.expiresAt) + 1_000));
      const expired = page.locator('.qr-overlay');
      await expired.getByText('Este código ha caducado.').waitFor();
      await countdown.waitFor({ state: 'detached' });
      await screenshot(page, 'whatsapp-qr-expired-desktop');

      // Still no webhooks: only the button can bring the gateway's current code.
      await expired.getByRole('button', { name: 'Generar un código nuevo' }).click();
      await expired.waitFor({ state: 'detached' });
      await countdown.waitFor();
      const renewed = await qrSrc(page);
      expect(renewed).not.toBe(qr.image);
      const after = await configOf(context, rotating.url);
      expect(after).toMatchObject({ status: 'qr_pending', qr: { image: renewed } });
      expect(Date.parse(after.qr.expiresAt)).toBeGreaterThan(Date.parse(qr.expiresAt));
    } finally {
      await emulator.delete('/_emulator/faults');
    }
    await page.clock.resume();
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('a computer whose clock is wrong', () => {
  // The QR's expiry is the server's instant: counted against a clock five minutes fast, a fresh
  // code read "expired" and could not be scanned; five minutes slow, it said 5:4x.
  it.each([
    { clock: 'fast', skewMs: 5 * 60_000, name: 'Nuria Adelantada' },
    { clock: 'slow', skewMs: -5 * 60_000, name: 'Rufino Atrasado' },
  ])('counts the QR down by the server clock when it is five minutes $clock', async ({ skewMs, name }) => {
    const { page, context, pageErrors } = await openPage(browser, web.url, DESKTOP);
    shotOnFailure(page, `whatsapp-qr-clock-${skewMs > 0 ? 'fast' : 'slow'}`);
    await page.clock.install({ time: Date.now() + skewMs });
    await showQr(page, context, web, name);
    await page
      .getByTestId('qr-countdown')
      .getByText(/^El código se renueva en 0:4\d$/)
      .waitFor();
    expect(await page.locator('.qr-overlay').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('disconnect and remove', () => {
  it('Disconnect asks first: cancel keeps the number linked, confirm logs it out', async () => {
    const advisor = await connectedAdvisor(web.service, 'Rocío Prieto');
    const { page, context, pageErrors } = await openPage(browser, web.url, DESKTOP);
    shotOnFailure(page, 'whatsapp-disconnect');
    await useSessionOf(context, advisor.client);
    await page.goto('/whatsapp');
    await badge(page, 'connected').waitFor();
    const dialog = page.getByRole('dialog', { name: '¿Desconectar WhatsApp?' });

    await page.getByRole('button', { name: 'Desconectar', exact: true }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await badge(page, 'connected').waitFor();
    expect((await advisor.client.get('/api/whatsapp/config')).body.status).toBe('connected');
    expect((await emulatorInstance(web, advisor.instanceName)).body.state).toBe('open');

    await page.getByRole('button', { name: 'Desconectar', exact: true }).click();
    await dialog.getByRole('button', { name: 'Desconectar', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await badge(page, 'disconnected').waitFor();
    await page.getByRole('button', { name: 'Conectar WhatsApp Business' }).waitFor();
    expect((await advisor.client.get('/api/whatsapp/config')).body.status).toBe('disconnected');
    expect((await emulatorInstance(web, advisor.instanceName)).body.state).toBe('close');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('Remove asks first: cancel keeps the connection, confirm deletes it', async () => {
    const advisor = await connectedAdvisor(web.service, 'Lorena Vega');
    const { page, context, pageErrors } = await openPage(browser, web.url, DESKTOP);
    shotOnFailure(page, 'whatsapp-remove');
    await useSessionOf(context, advisor.client);
    await page.goto('/whatsapp');
    await badge(page, 'connected').waitFor();
    const dialog = page.getByRole('dialog', { name: '¿Eliminar la conexión?' });

    await page.getByRole('button', { name: 'Eliminar conexión' }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await badge(page, 'connected').waitFor();
    expect((await advisor.client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'connected',
      instanceName: advisor.instanceName,
    });
    expect((await emulatorInstance(web, advisor.instanceName)).status).toBe(200);

    await page.getByRole('button', { name: 'Eliminar conexión' }).click();
    await dialog.getByRole('button', { name: 'Eliminar conexión' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await badge(page, 'not_configured').waitFor();
    await page.getByRole('button', { name: 'Conectar WhatsApp Business' }).waitFor();
    await expect(page.getByRole('button', { name: 'Eliminar conexión' }).count()).resolves.toBe(0);
    expect((await advisor.client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'not_configured',
      instanceName: null,
      phoneNumber: null,
    });
    expect((await emulatorInstance(web, advisor.instanceName)).status).toBe(404);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
