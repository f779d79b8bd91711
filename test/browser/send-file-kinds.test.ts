// Files the Send screen's picker offers that the service takes otherwise than a photo with a
// caption. An SVG: the picker offers every image (`image/*`), SVG drawings included, and sent
// each as `type: "image"`. The service judges an image by its bytes, which say nothing for an
// SVG (it is XML text), so the advisor got "not an image" (415) for a file the picker offered and
// had no way to send it. WhatsApp shows no SVG as a photo: it goes as a document. An audio file:
// WhatsApp shows no caption on one and the service refuses it (422), so the box goes. A file once
// sent: the picker is emptied with the form, so it no longer shows a file the form will not send.
import { describe, expect, it } from 'vitest';
import { newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { listedMessages, pdfOf } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { useWebAndBrowser } from './support/suite.js';
import { OGG_OPUS } from '../support/media-samples.js';

const suite = useWebAndBrowser();
const advisorPage = advisorPages(suite);

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>';

describe('an SVG picked on the Send screen', () => {
  it('goes as a document under its own name', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Dibujo SVG');
    await page.goto('/send');
    await page.getByTestId('recipient').fill(newPhone());
    await page.getByText('Archivo', { exact: true }).click();
    await page.getByLabel('Imagen o documento').setInputFiles({
      name: 'logo.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from(SVG),
    });
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByTestId('sent-result').waitFor();
    const sent = await waitFor(
      () => listedMessages(advisor, 'direction=outbound'),
      (items) => items.length === 1,
      { what: 'the SVG in the history' },
    );
    expect(sent[0]).toMatchObject({ type: 'document', fileName: 'logo.svg', mimetype: 'image/svg+xml' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('an audio file picked on the Send screen', () => {
  it('has no caption box, and what was typed in it is not sent', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Nota de Voz');
    await page.goto('/send');
    await page.getByTestId('recipient').fill(newPhone());
    await page.getByText('Archivo', { exact: true }).click();
    await page.getByLabel('Texto que acompaña al archivo (opcional)').fill('Escúchalo cuando puedas');
    await page.getByLabel('Imagen o documento').setInputFiles({
      name: 'consejo.ogg',
      mimeType: 'audio/ogg',
      buffer: OGG_OPUS,
    });
    await page.getByTestId('audio-no-caption').waitFor();
    await expect(page.getByLabel('Texto que acompaña al archivo (opcional)').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByTestId('sent-result').waitFor();
    const sent = await waitFor(
      () => listedMessages(advisor, 'direction=outbound'),
      (items) => items.length === 1,
      { what: 'the audio in the history' },
    );
    expect(sent[0]).toMatchObject({ type: 'audio', caption: null });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('a file sent from the Send screen', () => {
  it('leaves the picker empty, as the form is, so the next press does not claim a file is there', async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Picker Vacío');
    await page.goto('/send');
    await page.getByTestId('recipient').fill(newPhone());
    await page.getByText('Archivo', { exact: true }).click();
    const picker = page.getByLabel('Imagen o documento');
    await picker.setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdfOf('Plan') });
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByTestId('sent-result').waitFor();
    await waitFor(
      () => listedMessages(advisor, 'direction=outbound'),
      (items) => items.length === 1,
      { what: 'the file in the history' },
    );
    // The picker showed "plan.pdf" still while the form held no file: a press then said "Elige un
    // archivo." beside it, and picking the same file again fired no change, so it could not go.
    await expect(picker.evaluate((input: HTMLInputElement) => input.files?.length ?? 0)).resolves.toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
