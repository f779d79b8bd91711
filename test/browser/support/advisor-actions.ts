// What a browser test does around the page for a connected advisor: send through the API, wait
// for a message's status, play the client's phone (receipts, faults) through the emulator's
// control API, read what the API stored; plus page checks shared by the screen tests (overflow,
// a picture on failure) and real files to upload.
import QRCode from 'qrcode';
import { onTestFailed } from 'vitest';
import type { Page } from 'playwright-core';
import { waitFor } from '../../support/wait.js';
import type { ConnectedAdvisor } from '../../support/whatsapp.js';
import { screenshot } from './browser.js';

export async function sendAs(advisor: ConnectedAdvisor, body: Record<string, unknown>): Promise<any> {
  const res = await advisor.client.post('/api/whatsapp/send', body);
  if (res.status !== 202) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.message;
}

export function untilStatus(advisor: ConnectedAdvisor, id: string, statuses: string[]): Promise<any> {
  return waitFor(
    async () => (await advisor.client.get(`/api/whatsapp/messages/${id}`)).body,
    (m) => statuses.includes(m.status),
    { what: `message ${id} ${statuses.join('|')}`, timeoutMs: 20_000 },
  );
}

/** The advisor's messages as GET /api/whatsapp/messages lists them (newest first). */
export async function listedMessages(advisor: ConnectedAdvisor, query = ''): Promise<any[]> {
  const res = await advisor.client.get(`/api/whatsapp/messages${query ? `?${query}` : ''}`);
  if (res.status !== 200) throw new Error(`messages: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

/** The client's phone acknowledges a message (with receipts switched off by setFaults). */
export async function pushReceipt(advisor: ConnectedAdvisor, message: any, status: string): Promise<void> {
  const res = await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/receipt`, {
    keyId: message.evolutionMessageId,
    status,
  });
  if (res.status !== 200) throw new Error(`receipt: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A client writes to the advisor's number (the emulator delivers it as an inbound webhook). */
export async function clientWrites(
  advisor: ConnectedAdvisor,
  from: string,
  text: string,
  pushName?: string,
): Promise<void> {
  const res = await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/inbound`, {
    from,
    text,
    ...(pushName ? { pushName } : {}),
  });
  if (res.status !== 201) throw new Error(`inbound: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Emulator faults are global to a file's emulator: every test that sets some clears them. */
export async function setFaults(advisor: ConnectedAdvisor, faults: Record<string, unknown>): Promise<void> {
  const res = await advisor.emulator.put('/_emulator/faults', faults);
  if (res.status !== 200) throw new Error(`faults: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function clearFaults(advisor: ConnectedAdvisor): Promise<void> {
  await advisor.emulator.delete('/_emulator/faults');
}

export async function putSettings(
  advisor: ConnectedAdvisor,
  settings: Record<string, unknown>,
): Promise<void> {
  const res = await advisor.client.put('/api/whatsapp/config', { settings });
  if (res.status !== 200) throw new Error(`settings: ${res.status} ${JSON.stringify(res.body)}`);
}

/** How many CSS pixels the page is wider than the viewport (0 when nothing sticks out). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** On failure, keep a picture of the page: it usually says what went wrong. */
export function shotOnFailure(page: Page, name: string): void {
  onTestFailed(async () => {
    await screenshot(page, `failed-${name}`).catch(() => undefined);
  });
}

/**
 * Holds the page's requests to `url` (a Playwright route pattern) until the returned function is
 * called: the order a slow answer gives, made certain.
 */
export async function holdRoute(page: Page, url: string): Promise<() => void> {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

/**
 * The next request to `url` reaches the server now, but its answer reaches the page only on
 * `release()`: what the page gets is what the server read before whatever happens meanwhile.
 */
export async function holdResponse(
  page: Page,
  url: string,
): Promise<{ answered: Promise<void>; release: () => void }> {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let served: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (served = resolve));
  await page.route(
    url,
    async (route) => {
      const response = await route.fetch();
      served();
      await held;
      await route.fulfill({ response });
    },
    { times: 1 },
  );
  return { answered, release };
}

/** A real PNG (a QR code of `text`), as a phone's gallery would hold one. */
export function pngOf(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', width: 96 });
}

/** A small but well-formed one-page PDF. */
export function pdfOf(title: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>',
  ];
  const stream = `BT /F1 12 Tf 20 50 Td (${title}) Tj ET`;
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
