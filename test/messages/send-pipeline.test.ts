// The send pipeline end to end: API → outbox row → BullMQ → worker → emulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClient } from '../../src/db/repositories/client.repository.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';
import { OGG_OPUS, PDF } from '../support/media-samples.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({
    env: { SEND_BACKOFF_BASE_MS: '50', SEND_BACKOFF_MAX_MS: '200', RECONNECT_POLL_MS: '200' },
  });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const message = (advisor: ConnectedAdvisor, id: string) => advisor.client.get(`/api/whatsapp/messages/${id}`);

describe('POST /api/whatsapp/send', () => {
  it("queues a text, sends it through the gateway and records Evolution's id", async () => {
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34 612 34 56 78',
      text: 'Hola Marta, te espero mañana.',
    });
    expect(res.status).toBe(202);
    expect(res.body.message).toMatchObject({
      status: 'queued',
      phone: '+34612345678',
      direction: 'outbound',
      type: 'text',
    });
    const sent = await waitFor(
      () => message(ana, res.body.message.id),
      (r) => ['sent', 'delivered', 'read'].includes(r.body.status),
      { what: 'sent' },
    );
    expect(sent.body.evolutionMessageId).toMatch(/^[0-9A-F]+$/);
    expect(sent.body.attempts).toBe(1);
    const phone = await sentByPhone(ana);
    expect(phone.some((m) => m.text === 'Hola Marta, te espero mañana.')).toBe(true);
  });

  it('sends text with an unpaired surrogate escape, the character replaced (it was a 500)', async () => {
    // JSON can spell a lone surrogate as an escape, backslash-u-d800; PostgreSQL refuses one inside jsonb.
    const body = '{"to":"+34612000702","text":"roto \\ud800 aquí","clientName":"Eva \\udc00"}';
    const res = await ana.client.request('POST', '/api/whatsapp/send', body);
    expect(res.status).toBe(202);
    expect(res.body.message.text).toBe('roto \ufffd aquí');
    expect(res.body.message.clientName).toBe('Eva \ufffd');
    await waitFor(
      async () => (await sentByPhone(ana)).some((m) => m.text === 'roto \ufffd aquí'),
      (found) => found,
      { what: 'the repaired text on the phone' },
    );
    // A surrogate pair written as escapes is a real character and stays one.
    const pair = await ana.client.request(
      'POST',
      '/api/whatsapp/send',
      '{"to":"+34612000702","text":"bien \\ud83d\\ude00"}',
    );
    expect(pair.body.message.text).toBe('bien 😀');
    // The repair walks the body; one nested past 64 levels is refused, not a stack overflow.
    const deep = `{"to":"+34612000702","text":"x","v":${'['.repeat(80)}"\\ud800"${']'.repeat(80)}}`;
    const refused = await ana.client.request('POST', '/api/whatsapp/send', deep);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('nested more than 64 levels');
  });

  it('refuses a media URL whose declared type contradicts the message type', async () => {
    const send = (type: string, mimetype: string) =>
      ana.client.post('/api/whatsapp/send', {
        to: '+34612000012',
        type,
        media: { url: 'https://example.com/files/plan', mimetype },
      });
    const pdfAsImage = await send('image', 'application/pdf');
    expect(pdfAsImage.status).toBe(422);
    expect(pdfAsImage.body.error.details.fields).toEqual([
      { field: 'media.mimetype', message: 'must be image/… for type image' },
    ]);
    expect((await send('audio', 'video/mp4')).status).toBe(422);
    expect((await send('image', 'image/jpeg')).status).toBe(202);
    // A document may be of any type.
    expect((await send('document', 'image/jpeg')).status).toBe(202);
  });

  it('takes a media URL whose file name has a malformed %-escape (it was a 500)', async () => {
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000703',
      type: 'document',
      media: { url: 'https://example.com/docs/plan%E0%A4%A.pdf' },
    });
    expect(res.status).toBe(202);
    expect(res.body.message.fileName).toBe('plan%E0%A4%A.pdf');
    const decoded = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000703',
      type: 'document',
      media: { url: 'https://example.com/docs/plan%20semanal.pdf' },
    });
    expect(decoded.body.message.fileName).toBe('plan semanal.pdf');
  });

  it('normalises numbers with the default country and explains invalid ones', async () => {
    const bad = await ana.client.post('/api/whatsapp/send', { to: '12', text: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_phone');
    expect(bad.body.error.message.length).toBeGreaterThan(10);
    const national = await ana.client.post('/api/whatsapp/send', { to: '612 345 679', text: 'hola' });
    expect(national.body.message.phone).toBe('+34612345679');
    // As a phone's contact card copies it: wrapped in direction marks (it was 422 invalid_phone).
    const copied = await ana.client.post('/api/whatsapp/send', {
      to: '\u202a+34 612 345 680\u202c',
      text: 'hola',
    });
    expect(copied.status).toBe(202);
    expect(copied.body.message.phone).toBe('+34612345680');
  });

  it('tells a repeated Idempotency-Key with another scheduledAt apart (409), and the same instant written otherwise not', async () => {
    const at = new Date(Date.now() + 3 * 86_400_000);
    at.setUTCMilliseconds(0);
    const body = { to: '+34612000002', text: 'Recordatorio programado', scheduledAt: at.toISOString() };
    const first = await ana.client.post('/api/whatsapp/send', body, { 'idempotency-key': 'k-when' });
    expect(first.status).toBe(202);
    // The same instant in another zone's notation is the same request.
    const sameInstant = at.toISOString().replace('.000Z', '+00:00');
    const again = await ana.client.post(
      '/api/whatsapp/send',
      { ...body, scheduledAt: sameInstant },
      { 'idempotency-key': 'k-when' },
    );
    expect(again.status).toBe(202);
    expect(again.body.message.id).toBe(first.body.message.id);
    const later = await ana.client.post(
      '/api/whatsapp/send',
      { ...body, scheduledAt: new Date(at.getTime() + 3_600_000).toISOString() },
      { 'idempotency-key': 'k-when' },
    );
    expect(later.status).toBe(409);
    expect(later.body.error.code).toBe('idempotency_conflict');
    expect((await message(ana, first.body.message.id)).body.scheduledAt).toBe(at.toISOString());
  });

  it('returns the same message for a repeated Idempotency-Key and 409 for another body', async () => {
    const body = { to: '+34612000001', text: 'Una sola vez' };
    const first = await ana.client.post('/api/whatsapp/send', body, { 'idempotency-key': 'k-1' });
    const second = await ana.client.post('/api/whatsapp/send', body, { 'idempotency-key': 'k-1' });
    expect(second.status).toBe(202);
    expect(second.body.message.id).toBe(first.body.message.id);
    // The repeat says it is one; the first answer does not.
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await ana.client.post(
      '/api/whatsapp/send',
      { ...body, text: 'otra' },
      { 'idempotency-key': 'k-1' },
    );
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    await waitFor(
      () => message(ana, first.body.message.id),
      (r) => r.body.status !== 'queued',
    );
    const phone = await sentByPhone(ana);
    expect(phone.filter((m) => m.text === 'Una sola vez')).toHaveLength(1);
  });

  it('answers identical requests racing with one Idempotency-Key with one message, sent once', async () => {
    // Sent together with other sends, so the racing writes share statements (coalesce.ts): the
    // shared one breaks the unique key, each write runs again alone, and the losers answer like
    // a repeat. The one with another body is a 409 whether it wins or loses the race.
    const body = { to: '+34612000009', text: 'Carrera' };
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) =>
        ana.client.post('/api/whatsapp/send', { to: '+34612000010', text: `Otra ${i}` }),
      ),
      ...Array.from({ length: 6 }, () =>
        ana.client.post('/api/whatsapp/send', body, { 'idempotency-key': 'k-race' }),
      ),
    ]);
    const racing = answers.slice(4);
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 202));
    const ids = new Set(racing.map((a) => a.body.message.id));
    expect(ids.size).toBe(1);
    const other = await ana.client.post(
      '/api/whatsapp/send',
      { ...body, text: 'Carrera, otra' },
      { 'idempotency-key': 'k-race' },
    );
    expect(other.status).toBe(409);
    const [id] = [...ids];
    await waitFor(
      () => message(ana, id!),
      (r) => ['sent', 'delivered', 'read'].includes(r.body.status),
      { what: 'the raced message sent' },
    );
    const phone = await sentByPhone(ana);
    expect(phone.filter((m) => m.text === 'Carrera')).toHaveLength(1);
  });

  it('sends an uploaded image with its caption, checking the real type of the bytes', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString(
      'base64',
    );
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000002',
      type: 'image',
      media: { base64: png, fileName: 'plan.png' },
      caption: 'Tu plan de la semana',
    });
    expect(res.status).toBe(202);
    expect(res.body.message).toMatchObject({
      type: 'image',
      mimetype: 'image/png',
      caption: 'Tu plan de la semana',
    });
    await waitFor(
      () => message(ana, res.body.message.id),
      (r) => r.body.status === 'sent' || r.body.status === 'delivered' || r.body.status === 'read',
    );

    const fake = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000002',
      type: 'image',
      media: { base64: Buffer.from('%PDF-1.4 not an image').toString('base64'), mimetype: 'image/png' },
    });
    expect(fake.status).toBe(415);
    expect(fake.body.error.code).toBe('unsupported_media_type');
  });

  it('sends an uploaded document whose fileName is blank under the default name (it failed at the gateway)', async () => {
    // Evolution refuses a base64 document without a file name, and the worker leaves an empty one
    // out: accepted with 202, the message then failed for good ("For base64 the file name must be
    // informed."). A blank fileName is no fileName, as a blank caption is no caption.
    const pdf = PDF.toString('base64');
    for (const fileName of ['', '   ']) {
      const res = await ana.client.post('/api/whatsapp/send', {
        to: '+34612000022',
        type: 'document',
        media: { base64: pdf, mimetype: 'application/pdf', fileName },
      });
      expect(res.status).toBe(202);
      expect(res.body.message.fileName).toBe('document.pdf');
      const done = await waitFor(
        () => message(ana, res.body.message.id),
        (r) => ['sent', 'delivered', 'read', 'failed'].includes(r.body.status),
        { what: 'the document sent or failed' },
      );
      expect(done.body.error).toBeNull();
      expect(['sent', 'delivered', 'read']).toContain(done.body.status);
    }
    // By URL a blank fileName is no name either: the name comes from the URL's path, and one
    // whose path gives none is called "document" as an upload is (left out, Evolution named it
    // "cdn" from the host with its /.*\/(.+?)\./).
    const byUrl = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000022',
      type: 'document',
      media: { url: 'https://cdn.example.com/files/', fileName: ' ' },
    });
    expect(byUrl.status).toBe(202);
    expect(byUrl.body.message.fileName).toBe('document.bin');
  });

  it("keeps the client's name when a send gives a blank clientName", async () => {
    // The client row keeps the last name given; a blank one replaced it with "", and the inbox
    // and the history showed the conversation with no name (not even the number, which shows
    // only when there is no name at all).
    const to = '+34612000031';
    const named = await ana.client.post('/api/whatsapp/send', {
      to,
      text: 'Hola',
      clientName: ' Marta Ruiz ',
    });
    expect(named.body.message.clientName).toBe('Marta Ruiz');
    const blank = await ana.client.post('/api/whatsapp/send', { to, text: 'Otra vez', clientName: '  ' });
    expect(blank.status).toBe(202);
    expect(blank.body.message.clientName).toBeNull();
    const client = await findClient(service.runtime.ctx.db, ana.userId, to);
    expect(client!.name).toBe('Marta Ruiz');
  });

  it('checks a declared MIME type against the bytes, and refuses a caption on audio', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString(
      'base64',
    );
    const send = (body: Record<string, unknown>) =>
      ana.client.post('/api/whatsapp/send', { to: '+34612000004', ...body });
    // A Windows executable called a PDF: refuted by its bytes.
    const exe = await send({
      type: 'document',
      media: { base64: Buffer.from('MZ\x90\x00 not a pdf').toString('base64'), mimetype: 'application/pdf' },
    });
    expect(exe.status).toBe(415);
    expect(exe.body.error).toMatchObject({
      code: 'unsupported_media_type',
      details: { declared: 'application/pdf', detected: 'application/x-msdownload' },
    });
    // Nor does a parameter or an Office type the bytes are not get it through.
    for (const mimetype of [
      'application/pdf; name=factura.pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ]) {
      const disguised = await send({
        type: 'document',
        media: {
          base64: Buffer.from('MZ\x90\x00 not a pdf').toString('base64'),
          mimetype,
          fileName: 'f.pdf',
        },
      });
      expect([disguised.status, disguised.body.error?.code], mimetype).toEqual([
        415,
        'unsupported_media_type',
      ]);
    }
    // With no media.mimetype, a data URL's type says what the file is: a Word file is a ZIP by
    // its bytes, and went out as application/zip (the client's phone offered to unzip it).
    const zip = 'UEsDBBQAAAAAAAAAAAAAAAAABAAAAAQAAAAFAAAAYS50eHRob2xh';
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    const word = await send({
      type: 'document',
      media: { base64: `data:${docx};base64,${zip}`, fileName: 'plan.docx' },
    });
    expect(word.status, JSON.stringify(word.body)).toBe(202);
    expect(word.body.message.mimetype).toBe(docx);
    // media.mimetype, when given, is what the caller says.
    const asZip = await send({
      type: 'document',
      media: { base64: `data:${docx};base64,${zip}`, mimetype: 'application/zip', fileName: 'plan.zip' },
    });
    expect(asZip.body.message.mimetype).toBe('application/zip');
    // A data URL's type the bytes refute is refused as media.mimetype's is.
    const fake = await send({
      type: 'document',
      media: {
        base64: `data:application/pdf;base64,${Buffer.from('MZ\x90\x00 not a pdf').toString('base64')}`,
      },
    });
    expect(fake.status).toBe(415);
    expect(fake.body.error).toMatchObject({
      code: 'unsupported_media_type',
      message: expect.stringContaining("media.base64's data URL"),
      details: { declared: 'application/pdf', detected: 'application/x-msdownload' },
    });
    // A PNG called a JPEG: corrected, since the bytes say exactly what they are.
    const png2 = await send({ type: 'image', media: { base64: png, mimetype: 'image/jpeg' } });
    expect(png2.status).toBe(202);
    expect(png2.body.message.mimetype).toBe('image/png');
    // Not a MIME type at all.
    const garbage = await send({ type: 'document', media: { base64: png, mimetype: 'not a mime' } });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.details.fields).toEqual([
      { field: 'media.mimetype', message: expect.stringMatching(/MIME type/) },
    ]);
    // WhatsApp shows no caption on audio: it would have been stored and never sent.
    const ogg = OGG_OPUS.toString('base64');
    const audio = await send({ type: 'audio', media: { base64: ogg }, caption: 'escúchalo' });
    expect(audio.status).toBe(422);
    expect(audio.body.error.details.fields).toEqual([
      { field: 'caption', message: 'not allowed with type audio' },
    ]);
    expect((await send({ type: 'audio', media: { base64: ogg } })).status).toBe(202);
  });

  it('refuses media over the size limit with 413', async () => {
    // HTTP_BODY_LIMIT below what a file at the media limit needs as base64: the send takes it all
    // the same (it was 413 "request body too large" for a file within the limit).
    const small = await startTestService({ env: { MEDIA_MAX_BYTES: '2048', HTTP_BODY_LIMIT: '1024' } });
    try {
      const { client } = await signUpAdvisor(small.url, 'Big');
      const upload = (bytes: Buffer, base64 = bytes.toString('base64')) =>
        client.post('/api/whatsapp/send', {
          to: '+34612000003',
          type: 'document',
          media: { base64, fileName: 'big.bin' },
        });
      // Far over the limit (refused before decoding), just over it (told apart only once
      // decoded), and so far over it that the request itself is over the route's body limit: the
      // same answer, naming the limit as the advisor reads it (it said "the 0 MB limit").
      for (const size of [5000, 2049, 2 * 1024 * 1024]) {
        const res = await upload(Buffer.alloc(size, 1));
        expect(res.status, `${size} bytes`).toBe(413);
        expect(res.body.error).toEqual({
          code: 'payload_too_large',
          message: 'The file is larger than the 2 KB limit.',
          details: { maxBytes: 2048 },
        });
      }
      const atLimit = await upload(Buffer.alloc(2048, 1));
      expect(atLimit.status).toBe(202);
      // As a browser's FileReader writes it: a data URL whose type has a parameter, in lines.
      const lines = Buffer.from('hola\n').toString('base64');
      const dataUrl = await upload(Buffer.alloc(0), `data:text/plain;charset=utf-8;base64,\n${lines}\n`);
      expect(dataUrl.status, JSON.stringify(dataUrl.body)).toBe(202);
      // Bytes that say nothing of their type: the data URL's, without its parameters (it was
      // application/octet-stream, and a phone offered the client no way to open the text).
      expect(dataUrl.body.message.mimetype).toBe('text/plain');
    } finally {
      await small.close();
    }
  });

  it('renders a template with variables and refuses a missing one', async () => {
    const ok = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000004',
      template: { key: 'follow_up' },
      variables: { nombre_cliente: 'Marta', nombre_asesor: 'Ana', mensaje_personalizado: 'Bebe agua.' },
    });
    expect(ok.status).toBe(202);
    expect(ok.body.message.text).toContain('Marta');
    expect(ok.body.message.templateKey).toBe('follow_up');
    const missing = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000004',
      template: { key: 'follow_up' },
      variables: { nombre_cliente: 'Marta' },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('missing_variable');
    // {nombre_asesor} is the account's name when the caller leaves it out; the rest must come.
    expect(missing.body.error.details.missing).toEqual(['mensaje_personalizado']);
    const confirmation = (extra: Record<string, string>) =>
      ana.client.post('/api/whatsapp/send', {
        to: '+34612000004',
        template: { key: 'appointment_confirmation' },
        variables: {
          nombre_cliente: 'Marta',
          fecha_cita: 'lunes 1',
          hora_cita: '9:00',
          direccion: 'Calle Mayor 1',
          ...extra,
        },
      });
    const named = await confirmation({});
    expect(named.status).toBe(202);
    expect(named.body.message.text).toContain('Soy Ana');
    const otherName = await confirmation({ nombre_asesor: 'la Dra. Ana Ruiz' });
    expect(otherName.body.message.text).toContain('Soy la Dra. Ana Ruiz');
    // Numbers are written as their text, as long as JSON kept every digit of them.
    const numbers = (mensaje_personalizado: unknown) =>
      ana.client.post('/api/whatsapp/send', {
        to: '+34612000004',
        template: { key: 'follow_up' },
        variables: { nombre_cliente: 'Marta', nombre_asesor: 'Ana', mensaje_personalizado },
      });
    const exact = await numbers(1234.5);
    expect(exact.status).toBe(202);
    expect(exact.body.message.text).toContain('1234.5');
    const tooBig = await ana.client.request(
      'POST',
      '/api/whatsapp/send',
      '{"to":"+34612000004","template":{"key":"follow_up"},"variables":{"nombre_cliente":"Marta","nombre_asesor":"Ana","mensaje_personalizado":12345678901234567890}}',
    );
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.details.fields).toEqual([
      { field: 'variables.mensaje_personalizado', message: expect.stringMatching(/as a string/) },
    ]);
  });

  it('holds a scheduled message until its time', async () => {
    const at = new Date(Date.now() + 2500);
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000005',
      text: 'Programado',
      scheduledAt: at.toISOString(),
    });
    expect(res.body.message.status).toBe('scheduled');
    await new Promise((r) => setTimeout(r, 500));
    expect((await message(ana, res.body.message.id)).body.status).toBe('scheduled');
    const sent = await waitFor(
      () => message(ana, res.body.message.id),
      (r) => r.body.sentAt !== null,
      { timeoutMs: 10_000 },
    );
    expect(new Date(sent.body.sentAt).getTime()).toBeGreaterThanOrEqual(at.getTime() - 50);
  });

  it('sends a scheduledAt a few minutes past at once, and refuses one further back with 422', async () => {
    const recent = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000007',
      text: 'Hace un momento',
      scheduledAt: new Date(Date.now() - 2 * 60_000).toISOString(),
    });
    expect(recent.status).toBe(202);
    expect(recent.body.message.status).toBe('queued');
    expect(recent.body.message.scheduledAt).toBeNull();

    const yesterday = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const old = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000007',
      text: 'Ayer',
      scheduledAt: yesterday,
    });
    expect(old.status).toBe(422);
    expect(old.body.error.code).toBe('validation_failed');
    expect(old.body.error.message).toContain('in the past');
    expect(old.body.error.details.fields[0].field).toBe('scheduledAt');
    const stored = await ana.client.get('/api/whatsapp/messages?phone=%2B34612000007');
    expect(stored.body.items.map((m: { id: string }) => m.id)).toEqual([recent.body.message.id]);
  });

  it('refuses, with 422 naming the field, parts of a request its message would not carry', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString(
      'base64',
    );
    const cases: [Record<string, unknown>, string[]][] = [
      // Media with text: the text was dropped, the file sent without it.
      [{ type: 'image', media: { base64: png }, text: 'mira el plan' }, ['text']],
      [{ media: { base64: png }, text: 'mira el plan' }, ['text']],
      // Text with a template: the template won and the typed text was dropped.
      [{ text: 'hola', template: { key: 'appointment_follow_up' } }, ['text']],
      // A caption on a text message.
      [{ type: 'text', text: 'hola', caption: 'pie' }, ['caption']],
      [{ type: 'text', text: 'hola', media: { base64: png } }, ['media']],
      // Variables with no template: the client got "Hola {nombre_cliente}".
      [{ text: 'Hola {nombre_cliente}', variables: { nombre_cliente: 'Ana' } }, ['variables']],
      // A caption and a template both making the caption.
      [
        { type: 'image', media: { base64: png }, caption: 'pie', template: { key: 'appointment_follow_up' } },
        ['caption'],
      ],
    ];
    const before = (await ana.client.get('/api/whatsapp/messages?phone=%2B34612000007')).body.items.length;
    for (const [body, fields] of cases) {
      const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000007', ...body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(fields);
    }
    expect((await ana.client.get('/api/whatsapp/messages?phone=%2B34612000007')).body.items).toHaveLength(
      before,
    );
    // What the dashboard sends is still fine: a template with no variables filled in yet, an image
    // with a caption, empty extras.
    const ok = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000007',
      type: 'image',
      media: { base64: png },
      caption: 'el plan',
      text: '  ',
      variables: {},
    });
    expect(ok.status).toBe(202);
    expect(ok.body.message).toMatchObject({ type: 'image', caption: 'el plan', text: null });
  });

  it('answers bad bodies with 400 naming the field', async () => {
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000006', text: 5 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('text');
    const none = await ana.client.post('/api/whatsapp/send', { to: '+34612000006' });
    expect(none.status).toBe(422);
  });
});

describe('delivery behaviour', () => {
  it('retries transient gateway errors and then sends', async () => {
    const emulator = ana.emulator;
    await emulator.put('/_emulator/faults', { errorRate: 1 });
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000007', text: 'Tras el fallo' });
    const failing = await waitFor(
      () => message(ana, res.body.message.id),
      (r) => r.body.attempts >= 2,
      { what: 'a retry' },
    );
    expect(failing.body.status).not.toBe('failed');
    await emulator.delete('/_emulator/faults');
    const sent = await waitFor(
      () => message(ana, res.body.message.id),
      (r) => r.body.sentAt !== null,
      { what: 'sent after recovery' },
    );
    expect(sent.body.error).toBeNull();
  });

  it('retries a send whose WhatsApp query timed out (Evolution\'s 400 "Error: Timed Out") and sends it once', async () => {
    // Baileys gave up before relaying anything: a 400, but not the caller's mistake. It used to
    // fail the message for good as bad_request.
    await ana.emulator.put('/_emulator/faults', { sendTimeoutRate: 1 });
    const text = `Tras el tiempo agotado ${Date.now()}`;
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000017', text });
    try {
      const waiting = await waitFor(
        () => message(ana, res.body.message.id),
        (r) => r.body.attempts >= 2,
        { what: 'a retry after the timed-out query' },
      );
      expect(waiting.body.status).not.toBe('failed');
    } finally {
      await ana.emulator.delete('/_emulator/faults');
    }
    await waitFor(
      () => message(ana, res.body.message.id),
      (r) => r.body.sentAt !== null,
      { what: 'sent once the queries answer' },
    );
    expect((await sentByPhone(ana)).filter((m) => m.text === text)).toHaveLength(1);
  });

  it('fails at once, with the reason, when the number is not on WhatsApp', async () => {
    await ana.emulator.put('/_emulator/faults', { notOnWhatsApp: ['34612000008', '+34612000008'] });
    try {
      const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000008', text: 'nadie' });
      const failed = await waitFor(
        () => message(ana, res.body.message.id),
        (r) => r.body.status === 'failed',
      );
      expect(failed.body.error.code).toBe('not_on_whatsapp');
      expect(failed.body.attempts).toBe(1);
    } finally {
      await ana.emulator.delete('/_emulator/faults');
    }
  });

  it('waits while the number is disconnected, without failing, and sends after reconnecting', async () => {
    const bea = await connectedAdvisor(service, 'Bea');
    await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/disconnect`, { statusReason: 401 });
    await waitFor(
      () => bea.client.get('/api/whatsapp/config?refresh=true'),
      (r) => r.body.status === 'disconnected',
    );
    const res = await bea.client.post('/api/whatsapp/send', { to: '+34612000009', text: 'Cuando vuelvas' });
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, 800));
    const waiting = await message(bea, res.body.message.id);
    expect(waiting.body.status).toBe('queued');
    expect(waiting.body.attempts).toBe(0);

    await bea.client.post('/api/whatsapp/connect');
    await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/scan`, { phone: bea.phone });
    await waitFor(
      () => bea.client.get('/api/whatsapp/config?refresh=true'),
      (r) => r.body.status === 'connected',
    );
    await waitFor(
      () => message(bea, res.body.message.id),
      (r) => r.body.sentAt !== null,
      { what: 'sent after reconnect' },
    );
  });

  it('lets a failed message be retried from the history', async () => {
    await ana.emulator.put('/_emulator/faults', { notOnWhatsApp: ['34612000010'] });
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000010', text: 'otra vez' });
    await waitFor(
      () => message(ana, res.body.message.id),
      (r) => r.body.status === 'failed',
    );
    await ana.emulator.delete('/_emulator/faults');
    const retry = await ana.client.post(`/api/whatsapp/messages/${res.body.message.id}/retry`);
    expect(retry.status).toBe(202);
    await waitFor(
      () => message(ana, res.body.message.id),
      (r) => r.body.sentAt !== null,
    );
    const again = await ana.client.post(`/api/whatsapp/messages/${res.body.message.id}/retry`);
    expect(again.status).toBe(409);
  });
});

describe('retries racing each other', () => {
  it('move the message once and leave one audit entry, however many arrive at once', async () => {
    await ana.emulator.put('/_emulator/faults', { notOnWhatsApp: ['34612000011'] });
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000011', text: 'reintento doble' });
    const id = res.body.message.id as string;
    await waitFor(
      () => message(ana, id),
      (r) => r.body.status === 'failed',
    );
    // The number works again: the retried send goes out instead of failing anew (which would make
    // a later retry legitimate).
    await ana.emulator.delete('/_emulator/faults');
    const retries = await Promise.all(
      Array.from({ length: 8 }, () => ana.client.post(`/api/whatsapp/messages/${id}/retry`)),
    );
    const statuses = retries.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 202).every((s) => s === 409)).toBe(true);
    const audit = (await ana.client.get('/api/whatsapp/audit?limit=200')).body.items as {
      action: string;
      messageId: string | null;
    }[];
    expect(audit.filter((e) => e.action === 'message.retry' && e.messageId === id)).toHaveLength(1);
  });
});

describe('history, audit and tenancy', () => {
  it('lists newest first with filters and cursor pagination', async () => {
    const carla = await connectedAdvisor(service, 'Carla');
    for (let i = 0; i < 5; i++)
      await carla.client.post('/api/whatsapp/send', { to: `+3461200010${i}`, text: `n${i}` });
    const page1 = await carla.client.get('/api/whatsapp/messages?limit=2');
    expect(page1.body.items.map((m: any) => m.text)).toEqual(['n4', 'n3']);
    const page2 = await carla.client.get(`/api/whatsapp/messages?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((m: any) => m.text)).toEqual(['n2', 'n1']);
    const filtered = await carla.client.get('/api/whatsapp/messages?phone=%2B34612000102');
    expect(filtered.body.items.map((m: any) => m.text)).toEqual(['n2']);
    expect((await carla.client.get('/api/whatsapp/messages?cursor=garbage')).status).toBe(400);
    expect((await carla.client.get('/api/whatsapp/messages?limit=500')).status).toBe(400);
    // A time range: [since, until). Backwards (or empty) is 422 naming `since`, as metrics and
    // the agenda answer; it used to be 200 with nothing in it.
    const now = Date.now();
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const inRange = await carla.client.get(
      `/api/whatsapp/messages?since=${iso(now - 600_000)}&until=${iso(now + 60_000)}`,
    );
    expect(inRange.body.items.map((m: any) => m.text)).toEqual(['n4', 'n3', 'n2', 'n1', 'n0']);
    for (const [since, until] of [
      [now + 60_000, now - 600_000],
      [now, now],
    ]) {
      const backwards = await carla.client.get(
        `/api/whatsapp/messages?since=${iso(since!)}&until=${iso(until!)}`,
      );
      expect(backwards.status).toBe(422);
      expect(backwards.body.error.details.fields).toEqual([
        { field: 'since', message: 'must be before until' },
      ]);
    }
  });

  it('finds a number by a few of its digits, for this advisor only', async () => {
    const dora = await connectedAdvisor(service, 'Dora');
    const other = await connectedAdvisor(service, 'Elena');
    for (const [to, text] of [
      ['+34655123401', 'd1'],
      ['+34655123402', 'd2'],
      ['+34677000003', 'd3'],
    ])
      await dora.client.post('/api/whatsapp/send', { to, text });
    await other.client.post('/api/whatsapp/send', { to: '+34655123409', text: 'ajeno' });
    const texts = async (phone: string) => {
      const res = await dora.client.get(`/api/whatsapp/messages?phone=${encodeURIComponent(phone)}`);
      expect(res.status).toBe(200);
      return res.body.items.map((m: any) => m.text);
    };
    expect(await texts('5512340')).toEqual(['d2', 'd1']);
    expect(await texts('655 12 34 02')).toEqual(['d2']);
    expect(await texts('+34655123401')).toEqual(['d1']);
    expect(await texts('34655123401')).toEqual(['d1']); // the "+" lost in a query string
    expect(await texts('3409')).toEqual([]);
    const short = await dora.client.get('/api/whatsapp/messages?phone=12');
    expect(short.status).toBe(400);
    expect(short.body.error.details.fields[0].field).toBe('phone');
  });

  it('keeps an audit entry of every send with its content', async () => {
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000200', text: 'Auditado' });
    const audit = await ana.client.get('/api/whatsapp/audit?limit=200');
    const entry = audit.body.items.find((e: any) => e.messageId === res.body.message.id);
    expect(entry).toMatchObject({ actorType: 'advisor', action: 'message.send', phone: '+34612000200' });
    expect(entry.content.text).toBe('Auditado');
  });

  it("never shows or acts on another advisor's messages", async () => {
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000300', text: 'Privado' });
    const intruder = await signUpAdvisor(service.url, 'Intruder');
    expect((await intruder.client.get(`/api/whatsapp/messages/${res.body.message.id}`)).status).toBe(404);
    expect((await intruder.client.post(`/api/whatsapp/messages/${res.body.message.id}/retry`)).status).toBe(
      404,
    );
    const list = await intruder.client.get('/api/whatsapp/messages');
    expect(list.body.items).toEqual([]);
    const audit = await intruder.client.get('/api/whatsapp/audit');
    expect(audit.body.items).toEqual([]);
    // Same idempotency key in another tenant is a different message.
    const a = await ana.client.post(
      '/api/whatsapp/send',
      { to: '+34612000301', text: 'x' },
      { 'idempotency-key': 'shared' },
    );
    const b = await intruder.client.post(
      '/api/whatsapp/send',
      { to: '+34612000301', text: 'y' },
      { 'idempotency-key': 'shared' },
    );
    expect(b.status).toBe(202);
    expect(b.body.message.id).not.toBe(a.body.message.id);
  });
});
