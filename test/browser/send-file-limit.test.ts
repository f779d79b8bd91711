// The Send screen checks a file against the server's MEDIA_MAX_BYTES (GET /config's
// `limits.mediaMaxBytes`), not a copy of its default: a service configured for smaller (or
// larger) files says so in the hint and refuses a file over it before uploading anything.
import { describe, expect, it } from 'vitest';
import { newPhone } from '../appointments/support.js';
import { waitFor } from '../support/wait.js';
import { listedMessages, pdfOf } from './support/advisor-actions.js';
import { advisorPages } from './support/advisor-page.js';
import { useWebAndBrowser } from './support/suite.js';

const MAX_BYTES = 4096;
const suite = useWebAndBrowser({ service: { env: { MEDIA_MAX_BYTES: String(MAX_BYTES) } } });
const advisorPage = advisorPages(suite);

describe('a file on the Send screen', () => {
  it("is checked against the server's limit, said in the hint, before anything is sent", async () => {
    const { advisor, page, context, pageErrors } = await advisorPage('Límite Propio');
    const config = await advisor.client.get('/api/whatsapp/config');
    expect(config.body.limits).toEqual({ mediaMaxBytes: MAX_BYTES });

    await page.goto('/send');
    await page.getByTestId('recipient').fill(newPhone());
    await page.getByText('Archivo', { exact: true }).click();
    await page.getByText('Imágenes, PDF y documentos de hasta 4 KB.').waitFor();
    const file = page.getByLabel('Imagen o documento');
    // A valid PDF padded past the limit (still under the 16 MB the screen used to assume).
    const large = Buffer.concat([pdfOf('Plan grande'), Buffer.alloc(MAX_BYTES, 0x20)]);
    await file.setInputFiles({ name: 'plan-grande.pdf', mimeType: 'application/pdf', buffer: large });
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByText('El archivo es demasiado grande.').waitFor();
    expect(await listedMessages(advisor, 'direction=outbound')).toEqual([]);

    // One within the limit goes.
    await file.setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdfOf('Plan') });
    await page.getByText('El archivo es demasiado grande.').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Enviar', exact: true }).click();
    await page.getByTestId('sent-result').waitFor();
    const sent = await waitFor(
      () => listedMessages(advisor, 'direction=outbound'),
      (items) => items.length === 1,
      { what: 'the file within the limit in the history' },
    );
    expect(sent[0]).toMatchObject({ type: 'document', fileName: 'plan.pdf' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
