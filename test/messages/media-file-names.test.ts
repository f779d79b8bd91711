// Evolution takes a document's type from its file name's extension whenever a name is given
// (evolution-api.md §3.11). A name without one (the "document" an upload gets when none is given,
// the "12345" of a URL …/files/12345) lost the type: the client got a file no app opens. The
// emulator follows §3.11 as written; what it records as sent is what the client's phone got.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import {
  connectedAdvisor,
  sendAndRead as sendAndReadAs,
  sentByPhone,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';
import { OGG_OPUS, PDF, QUICKTIME, WEBM } from '../support/media-samples.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const pdf = PDF.toString('base64');
const ogg = OGG_OPUS.toString('base64');

const sendAndRead = (body: Record<string, unknown>) => sendAndReadAs(ana, '+34612000431', body);

describe('the file name a media message is sent under', () => {
  it('gives an uploaded document without a name the extension of its type', async () => {
    const { message, onPhone } = await sendAndRead({ type: 'document', media: { base64: pdf } });
    expect(message).toMatchObject({ fileName: 'document.pdf', mimetype: 'application/pdf' });
    expect(onPhone).toMatchObject({ fileName: 'document.pdf', mimetype: 'application/pdf' });
  });

  it('gives a URL document whose path has no extension the extension of its declared type', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'document',
      media: { url: 'https://cdn.example.com/files/12345', mimetype: 'application/pdf' },
    });
    expect(message.fileName).toBe('12345.pdf');
    expect(onPhone).toMatchObject({ fileName: '12345.pdf', mimetype: 'application/pdf' });
  });

  it("completes a caller's name without an extension, and keeps one the caller gave", async () => {
    const csv = `data:text/csv;base64,${Buffer.from('nombre;peso\nAna;60\n').toString('base64')}`;
    const named = await sendAndRead({ media: { base64: csv, fileName: 'Dr. Pérez v2' } });
    expect(named.onPhone).toMatchObject({ fileName: 'Dr. Pérez v2.csv', mimetype: 'text/csv' });
    expect(named.message.fileName).toBe('Dr. Pérez v2.csv');
    // A .docx is a ZIP by its bytes: its own name says more, and stays.
    const zip = Buffer.from('504b0304140000000800', 'hex').toString('base64');
    const docx = await sendAndRead({
      media: { base64: zip, mimetype: 'application/zip', fileName: 'plan.docx' },
    });
    expect(docx.onPhone).toMatchObject({
      fileName: 'plan.docx',
      mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
  });

  it('names an audio file so that it keeps its type', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: { base64: ogg, fileName: 'consejo del día' },
    });
    expect(message.fileName).toBe('consejo del día.ogg');
    expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/ogg' });
  });

  // Evolution names a video sent without a name video.mp4 and takes its type from that name
  // (§3.11), so a WebM or QuickTime file reached the client labelled video/mp4 while the history
  // said otherwise.
  it.each([
    ['a WebM', WEBM, 'video/webm', 'video.webm'],
    ['a QuickTime', QUICKTIME, 'video/quicktime', 'video.mov'],
  ])('sends %s video given no name as its own type', async (_case, bytes, mimetype, fileName) => {
    const { message, onPhone } = await sendAndRead({
      type: 'video',
      media: { base64: bytes.toString('base64') },
    });
    expect(onPhone).toMatchObject({ type: 'video', mimetype });
    expect(message).toMatchObject({ mimetype, fileName });
  });
});

// A name is not a path: `C:\\fakepath\\plan.pdf` is what a browser's file input says as its value,
// and a caller's own folders ("informes/2026/plan.pdf") are no business of the client's. The
// client's WhatsApp showed the document under the whole path.
describe('a file name that carries a path', () => {
  it.each([
    ['C:\\fakepath\\plan.pdf', 'plan.pdf'],
    ['informes/2026/plan.pdf', 'plan.pdf'],
    ['/', 'document.pdf'],
  ])('sends %j as %j', async (fileName, sent) => {
    const { message, onPhone } = await sendAndRead({
      type: 'document',
      media: { base64: pdf, fileName },
    });
    expect(onPhone).toMatchObject({ fileName: sent, mimetype: 'application/pdf' });
    expect(message.fileName).toBe(sent);
  });
});

// Evolution labels a document by its name's extension (§3.11): given no media.mimetype, the
// history said application/octet-stream for a text file the client got as text/plain, and
// application/zip for a Word file the client got as one.
describe('the type an upload named but not typed is stored with', () => {
  it.each([
    ['notas.txt', Buffer.from('hola\n'), 'text/plain'],
    [
      'plan.docx',
      Buffer.from('504b0304140000000800', 'hex'),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
  ])('is the type of its name, %j, as the client gets it', async (fileName, bytes, mimetype) => {
    const { message, onPhone } = await sendAndRead({
      type: 'document',
      media: { base64: bytes.toString('base64'), fileName },
    });
    expect(onPhone).toMatchObject({ fileName, mimetype });
    expect(message.mimetype).toBe(mimetype);
  });
});

describe('a file name whose extension the bytes refute', () => {
  // Evolution labels the file with its name's type, whatever the bytes and media.mimetype say:
  // a PDF called foto.jpg reached the client as an image/jpeg that no app opens.
  it.each([
    ['foto.jpg', 'image/jpeg'],
    ['plan.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['notas.txt', 'text/plain'],
  ])('refuses a PDF called %j with 415, sending nothing', async (fileName, nameType) => {
    const before = (await sentByPhone(ana)).length;
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000432',
      type: 'document',
      media: { base64: pdf, mimetype: 'application/pdf', fileName },
    });
    expect([res.status, res.body.error?.code], JSON.stringify(res.body)).toEqual([
      415,
      'unsupported_media_type',
    ]);
    expect(res.body.error.details).toMatchObject({
      field: 'media.fileName',
      declared: nameType,
      detected: 'application/pdf',
    });
    expect(res.body.error.message).toContain(fileName);
    expect((await sentByPhone(ana)).length).toBe(before);
  });

  it('takes a name whose extension agrees with the bytes, in any case', async () => {
    const { onPhone } = await sendAndRead({
      type: 'document',
      media: { base64: pdf, fileName: 'Informe.PDF' },
    });
    expect(onPhone).toMatchObject({ fileName: 'Informe.PDF', mimetype: 'application/pdf' });
  });
});

describe('the type a media message is sent as', () => {
  // QA (2026-12-07): the caller's audio/mpeg was kept on OGG/Opus bytes because both are audio.
  it('is what the bytes of a known audio format say, not another format the caller names', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: { base64: ogg, mimetype: 'audio/mpeg' },
    });
    expect(message.mimetype).toBe('audio/ogg; codecs=opus');
    expect(onPhone).toMatchObject({ type: 'audio', mimetype: 'audio/ogg; codecs=opus' });
  });
});

// Evolution labels a file by its name whenever one is given, `mimeTypes.lookup(name).toString()`:
// a name with no known extension, with no media.mimetype to give one, went out labelled "false".
describe('a file whose type nothing names', () => {
  const unknownBytes = Buffer.from('nombre;peso\nAna;60\n').toString('base64');

  it.each([
    ['a video URL ending in …/watch', { url: 'https://cdn.example.com/v/watch' }],
    [
      'a video URL given a name without an extension',
      { url: 'https://cdn.example.com/v/1', fileName: 'clase' },
    ],
  ])("leaves %s unnamed, to Evolution's video.mp4", async (_case, media) => {
    const { message, onPhone } = await sendAndRead({ type: 'video', media });
    expect(onPhone).toMatchObject({ type: 'video', mimetype: 'video/mp4' });
    expect(message.fileName).toBeNull();
  });

  it('leaves an audio URL without a type unnamed', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'audio',
      media: { url: 'https://cdn.example.com/a/nota', fileName: 'nota' },
    });
    expect(onPhone.mimetype).not.toBe('false');
    expect(message.fileName).toBeNull();
  });

  it.each([
    ['a URL document ending in …/watch', { url: 'https://cdn.example.com/files/watch' }, 'watch.bin'],
    ['an upload of bytes nothing recognises, given no name', { base64: unknownBytes }, 'document.bin'],
    ['an upload given a name without an extension', { base64: unknownBytes, fileName: 'pesos' }, 'pesos.bin'],
  ])('names %s as a file of unknown type', async (_case, media, fileName) => {
    const { message, onPhone } = await sendAndRead({ type: 'document', media });
    expect(onPhone).toMatchObject({ fileName, mimetype: 'application/octet-stream' });
    expect(message.fileName).toBe(fileName);
  });

  // A URL whose last path segment is empty gives no name. Sent without one, a real Evolution
  // makes one from the URL with /.*\/(.+?)\./ (§3.11): "https://cdn.example.com/descargas/"
  // reached the client as a file called "cdn", of no type.
  it.each([
    ['https://cdn.example.com/descargas/', 'application/pdf', 'document.pdf'],
    ['https://cdn.example.com/?id=5', undefined, 'document.bin'],
  ])(
    'names a URL document whose path gives no name (%s) as an upload is named',
    async (url, mimetype, fileName) => {
      const { message, onPhone } = await sendAndRead({
        type: 'document',
        media: { url, ...(mimetype ? { mimetype } : {}) },
      });
      expect(onPhone).toMatchObject({ fileName });
      expect(message.fileName).toBe(fileName);
    },
  );

  it("sends an image without the caller's name, which would label the JPEG Evolution makes", async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    for (const fileName of ['foto', 'foto.png']) {
      const { onPhone } = await sendAndRead({
        type: 'image',
        media: { base64: png.toString('base64'), fileName },
      });
      expect(onPhone, fileName).toMatchObject({ type: 'image', mimetype: 'image/jpeg' });
    }
  });
});

// file-type reads any text that opens with an XML declaration as application/xml: an SVG, a GPX
// route, a KML map. Their exact type, as for a ZIP-based Word file, is what the caller names. It
// was replaced by the generic one: an SVG declared image/svg+xml and given no name reached the
// client as "document.xml", and a "ruta.gpx" the client got as a GPX file (by its name) was in the
// history as application/xml.
describe('an XML document of a type of its own', () => {
  const svg = Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
  ).toString('base64');
  const gpx = Buffer.from(
    '<?xml version="1.0"?>\n<gpx version="1.1" creator="reloj"><trk><name>Paseo</name></trk></gpx>\n',
  ).toString('base64');

  it('is sent as the XML type the caller declares, under its extension', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'document',
      media: { base64: svg, mimetype: 'image/svg+xml' },
    });
    expect(onPhone).toMatchObject({ fileName: 'document.svg', mimetype: 'image/svg+xml' });
    expect(message).toMatchObject({ fileName: 'document.svg', mimetype: 'image/svg+xml' });
  });

  it('is stored with the type its name gives it, as the client gets it', async () => {
    const { message, onPhone } = await sendAndRead({
      type: 'document',
      media: { base64: gpx, fileName: 'ruta.gpx' },
    });
    expect(onPhone).toMatchObject({ fileName: 'ruta.gpx', mimetype: 'application/gpx+xml' });
    expect(message.mimetype).toBe('application/gpx+xml');
  });

  it('is still plain XML when nothing names another type', async () => {
    const { message, onPhone } = await sendAndRead({ type: 'document', media: { base64: gpx } });
    expect(onPhone).toMatchObject({ fileName: 'document.xml', mimetype: 'application/xml' });
    expect(message.mimetype).toBe('application/xml');
  });
});
