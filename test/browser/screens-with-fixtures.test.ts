// Screens whose endpoints are still being built (appointments list, metrics, public CTA) and
// states that are hard to reach on demand (a logged-out phone, a failed message), rendered from
// answers shaped as API.md says, so their layout and behaviour are checked today. The API calls
// they make are recorded and checked too.
import { createServer } from 'node:http';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { DESKTOP, launchBrowser, openPage, PHONE, screenshot } from './support/browser.js';
import {
  appointments,
  fixedEvents,
  json,
  message,
  messagesPage,
  metrics,
  publicCta,
} from './support/fixtures.js';
import { signUpInContext } from './support/session.js';
import { startWebService, type WebService } from './support/web-service.js';

// A real server and a real browser on a busy machine: give each test room.
vi.setConfig({ testTimeout: 90_000 });

let web: WebService;
let browser: Browser;

beforeAll(async () => {
  [web, browser] = await Promise.all([startWebService(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const devices = [
  { device: 'desktop', viewport: DESKTOP, isMobile: false },
  { device: 'phone', viewport: PHONE, isMobile: true },
] as const;

describe.each(devices)('screens with API.md-shaped data on a $device', ({ device, viewport, isMobile }) => {
  it('appointments: timeline per appointment, send now and a personal follow-up', async () => {
    const { page, context, pageErrors } = await openPage(browser, web.url, viewport, { isMobile });
    await signUpInContext(context, web.url);
    const sends: unknown[] = [];
    await page.route('**/api/appointments?**', (route) => json(route, appointments()));
    await page.route('**/api/appointments/*/send', async (route) => {
      sends.push({ url: route.request().url(), body: route.request().postDataJSON() });
      await json(route, { message: message({ status: 'queued' }) }, 202);
    });
    await page.goto('/appointments');
    await expect(page.getByTestId('appointment').count()).resolves.toBe(0);
    await page.getByTestId('appointment').first().waitFor();
    await page.getByText('El cliente pidió no recibir mensajes (BAJA).').waitFor();
    await page.getByText('“¡Perfecto, allí estaré!”').waitFor();
    await page.getByText('Ese número no tiene WhatsApp.').waitFor();
    await screenshot(page, `appointments-data-${device}`);

    await page
      .getByTestId('appointment')
      .first()
      .getByRole('button', { name: 'Enviar ahora' })
      .first()
      .click();
    await page.getByText('Mensaje en camino').waitFor();
    await page
      .getByTestId('appointment')
      .first()
      .getByRole('button', { name: 'Enviar seguimiento con mensaje personal' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Seguimiento para Lucía Pérez' });
    await dialog.getByLabel('Tu mensaje personal').fill('Qué bien te vi hoy: sigue con los paseos.');
    await screenshot(page, `appointments-follow-up-dialog-${device}`);
    await dialog.getByRole('button', { name: 'Enviar seguimiento' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(sends).toEqual([
      { url: `${web.url}/api/appointments/bk-1001/send`, body: { kind: 'reminder' } },
      {
        url: `${web.url}/api/appointments/bk-1001/send`,
        body: { kind: 'follow_up', message: 'Qué bien te vi hoy: sigue con los paseos.' },
      },
    ]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('analytics: rates, response times, charts, template usage and connection history', async () => {
    const { page, context, pageErrors } = await openPage(browser, web.url, viewport, { isMobile });
    await signUpInContext(context, web.url);
    const asked: string[] = [];
    await page.route('**/api/whatsapp/metrics?**', (route) => {
      asked.push(route.request().url());
      return json(route, metrics());
    });
    await page.goto('/analytics');
    await page.getByText('96,2 %').waitFor();
    await page.getByText('23 min').waitFor();
    await expect(page.locator('svg[role="img"]').count()).resolves.toBe(2);
    await screenshot(page, `analytics-data-${device}`);
    await page.getByRole('button', { name: '7 días' }).click();
    await expect.poll(() => asked.length).toBe(2);
    const query = new URL(asked[1]!).searchParams;
    expect(Date.parse(query.get('until')!) - Date.parse(query.get('since')!)).toBeGreaterThan(
      7 * 86_400_000 - 1,
    );
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('messages: ticks for each status, the failure reason and a retry', async () => {
    const { page, context, pageErrors } = await openPage(browser, web.url, viewport, { isMobile });
    await signUpInContext(context, web.url);
    const page1 = messagesPage();
    await page.route('**/api/whatsapp/messages?**', (route) => json(route, page1));
    const failed = (page1.items as Record<string, unknown>[]).find((m) => m.status === 'failed')!;
    await page.route(`**/api/whatsapp/messages/${failed.id as string}/retry`, (route) =>
      json(route, { message: { ...failed, status: 'queued', error: null, failedAt: null } }, 202),
    );
    await page.goto('/messages');
    await page.getByTestId('message-row').first().waitFor();
    for (const status of ['queued', 'received', 'read', 'delivered', 'failed', 'scheduled']) {
      await page.locator(`[data-testid="message-row"][data-status="${status}"]`).waitFor();
    }
    await screenshot(page, `messages-data-${device}`);
    await page.getByRole('button', { name: 'Reintentar' }).click();
    await page
      .locator(`[data-testid="message-row"][data-id="${failed.id as string}"][data-status="queued"]`)
      .waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('whatsapp: the alert when the phone logged out', async () => {
    const { page, context, pageErrors } = await openPage(browser, web.url, viewport, { isMobile });
    await signUpInContext(context, web.url);
    const real = await (await context.request.get(`${web.url}/api/whatsapp/config`)).json();
    const loggedOut = {
      ...real,
      status: 'disconnected',
      alert: 'logged_out',
      phoneNumber: '+34612345678',
      instanceName: 'adv_demo',
    };
    await page.route('**/api/whatsapp/config', (route) => json(route, loggedOut));
    await fixedEvents(page, [{ event: 'status', data: loggedOut }]);
    await page.goto('/whatsapp');
    await page.locator('[data-alert="logged_out"]').waitFor();
    await page.getByRole('button', { name: 'Conectar WhatsApp Business' }).waitFor();
    await screenshot(page, `whatsapp-logged-out-${device}`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('public profile page with the CTA', () => {
  it.each(devices)(
    'shows the button, the QR and the embed snippets on a $device',
    async ({ device, viewport, isMobile }) => {
      const { page, context, pageErrors } = await openPage(browser, web.url, viewport, { isMobile });
      const svg = await QRCode.toString(publicCta.url, { type: 'svg', margin: 1 });
      await page.route('**/api/public/advisors/marta-sanchez/whatsapp', (route) => json(route, publicCta));
      await page.route('**/api/public/advisors/marta-sanchez/whatsapp/qr.svg', (route) =>
        route.fulfill({ contentType: 'image/svg+xml', body: svg }),
      );
      await page.goto('/p/marta-sanchez');
      const cta = page.getByTestId('whatsapp-cta');
      await cta.waitFor();
      expect(await cta.getAttribute('href')).toBe(publicCta.url);
      await page.getByRole('heading', { name: 'Marta Sánchez' }).waitFor();
      await expect(
        page
          .getByRole('img', { name: 'Código QR que abre WhatsApp con este contacto' })
          .evaluate((img: HTMLImageElement) => img.naturalWidth > 0),
      ).resolves.toBe(true);
      await page.getByText('Poner este botón en tu web').click();
      await expect(page.getByTestId('embed-script').textContent()).resolves.toBe(
        `<script src="${web.url}/embed.js" data-advisor="marta-sanchez" async></script>`,
      );
      await screenshot(page, `public-profile-${device}`);
      expect(pageErrors).toEqual([]);
      await context.close();
    },
  );

  it('embed.js renders the button on another page from the same endpoint', async () => {
    const { page, context, pageErrors } = await openPage(browser, web.url, DESKTOP);
    // Another site's page asks our API cross-origin: the public endpoint must allow any origin.
    await page.route('**/api/public/advisors/marta-sanchez/whatsapp', (route) =>
      route.fulfill({
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': '*' },
        body: JSON.stringify(publicCta),
      }),
    );
    // Another site, on its own origin: a real server (a page fulfilled by page.route would count
    // as public, and Chromium blocks public pages from loading loopback scripts).
    const site = await serveHtml(
      `<!doctype html><meta charset="utf-8"><h1>Clínica Sana</h1><p>Reserva tu cita:</p><script src="${web.url}/embed.js" data-advisor="marta-sanchez" async></script>`,
    );
    try {
      await page.goto(site.url);
      const button = page.locator('a.ww-whatsapp-button');
      await button.waitFor();
      expect(await button.getAttribute('href')).toBe(publicCta.url);
      await expect(button.textContent()).resolves.toBe('Escríbeme por WhatsApp');
      await screenshot(page, 'embed-on-other-site-desktop');
    } finally {
      await site.close();
    }
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

/** A one-page website on its own port, standing for an advisor's own site. */
async function serveHtml(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://localhost:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
