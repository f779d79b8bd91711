// The public profile button: link, QR codes, click counting, and the sandbox proxy to the emulator.
import { request } from 'node:http';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor, VISITOR_USER_AGENT } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { eq } from 'drizzle-orm';
import { whatsappConfig } from '../../src/db/schema/index.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('public WhatsApp button', () => {
  it('gives the wa.me link with the pre-filled, URL-encoded message', async () => {
    const ana = await connectedAdvisor(service, 'Ana Ruiz', { phone: '+34612345678' });
    await ana.client.put('/api/whatsapp/config', { settings: { ctaMessage: 'Hola Ana 🌿, ¿tienes hueco?' } });
    const { publicSlug } = (await ana.client.get('/api/whatsapp/config')).body;
    const anon = new HttpClient(service.url);
    const res = await anon.get(`/api/public/advisors/${publicSlug}/whatsapp`);
    expect(res.status).toBe(200);
    // embed.js reads it from the advisor's own website.
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.body).toMatchObject({
      phone: '+34612345678',
      message: 'Hola Ana 🌿, ¿tienes hueco?',
      name: 'Ana Ruiz',
    });
    expect(res.body.url).toBe(
      `https://wa.me/34612345678?text=${encodeURIComponent('Hola Ana 🌿, ¿tienes hueco?')}`,
    );

    const svg = await fetch(`${service.url}/api/public/advisors/${publicSlug}/whatsapp/qr.svg`);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toContain('<svg');
    const png = await fetch(`${service.url}/api/public/advisors/${publicSlug}/whatsapp/qr.png`);
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(0, 4)
        .toString('hex'),
    ).toBe('89504e47');

    const go = await fetch(`${service.url}/api/public/advisors/${publicSlug}/whatsapp/go`, {
      redirect: 'manual',
    });
    expect(go.status).toBe(302);
    expect(go.headers.get('location')).toBe(res.body.url);
  });

  // The default follows the advisor's language as the templates do (templateLanguageForLocale):
  // a pt-BR advisor's clients were handed a Spanish message to send.
  it.each([
    ['pt-BR', '+5511987654321', 'Olá, gostaria de agendar uma consulta', 'pt'],
    ['en-GB', '+447700900123', 'Hi, I would like to book an appointment', 'en'],
    ['es-MX', '+525512345678', 'Hola, me gustaría reservar una cita', 'es'],
    ['the default locale', '+34612345672', 'Hola, me gustaría reservar una cita', 'es'],
  ])(
    'pre-fills, for an advisor in %s who wrote none, the message in their language',
    async (locale, phone, message, language) => {
      const advisor = await connectedAdvisor(service, 'Bia Souza', { phone });
      if (locale !== 'the default locale') {
        const put = await advisor.client.put('/api/whatsapp/config', { settings: { locale } });
        expect(put.status).toBe(200);
      }
      const { publicSlug, settings } = (await advisor.client.get('/api/whatsapp/config')).body;
      expect(settings.ctaMessage).toBe(message);
      const res = await new HttpClient(service.url).get(`/api/public/advisors/${publicSlug}/whatsapp`);
      expect(res.status).toBe(200);
      expect(res.body.message).toBe(message);
      expect(res.body.url).toBe(`https://wa.me/${phone.slice(1)}?text=${encodeURIComponent(message)}`);
      // embed.js labels its button in it when the tag names no data-lang.
      expect(res.body.language).toBe(language);
    },
  );

  it("keeps a pt advisor's own message, whatever the language", async () => {
    const advisor = await connectedAdvisor(service, 'Caio Lima', { phone: '+5521987654321' });
    const own = 'Hola, quiero una cita';
    await advisor.client.put('/api/whatsapp/config', { settings: { locale: 'pt-BR', ctaMessage: own } });
    const { publicSlug } = (await advisor.client.get('/api/whatsapp/config')).body;
    const res = await new HttpClient(service.url).get(`/api/public/advisors/${publicSlug}/whatsapp`);
    expect(res.body.message).toBe(own);
  });

  it('is a 404 when the advisor turned it off, has no number, or does not exist', async () => {
    const anon = new HttpClient(service.url);
    const off = await connectedAdvisor(service, 'Off');
    await off.client.put('/api/whatsapp/config', { settings: { ctaEnabled: false } });
    const offSlug = (await off.client.get('/api/whatsapp/config')).body.publicSlug;
    expect((await anon.get(`/api/public/advisors/${offSlug}/whatsapp`)).status).toBe(404);

    const unlinked = await signUpAdvisor(service.url, 'Unlinked');
    const slug = (await unlinked.client.get('/api/whatsapp/config')).body.publicSlug;
    const res = await anon.get(`/api/public/advisors/${slug}/whatsapp`);
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.body.error.code).toBe('not_found');
    expect((await anon.get('/api/public/advisors/nobody-here/whatsapp/qr.svg')).status).toBe(404);
  });
});

describe('a pre-filled message too long for a QR code', () => {
  // 1000 characters is the setting's limit, but "á" is 6 characters of the link once URL-encoded:
  // no QR code holds that link, and the QR routes answered 500.
  const unprintable = 'á'.repeat(1000);

  it('is refused when the advisor writes it, while a long one that fits is kept', async () => {
    const ada = await connectedAdvisor(service, 'Ada Largo', { phone: '+34612345601' });
    const put = await ada.client.put('/api/whatsapp/config', { settings: { ctaMessage: unprintable } });
    expect(put.status).toBe(422);
    expect(put.body.error.code).toBe('validation_failed');
    expect(put.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'settings.ctaMessage',
    ]);

    const long = 'Hola, ¿me das cita? '.repeat(50);
    const ok = await ada.client.put('/api/whatsapp/config', { settings: { ctaMessage: long } });
    expect(ok.status).toBe(200);
    const { publicSlug } = ok.body;
    const anon = new HttpClient(service.url);
    expect((await anon.get(`/api/public/advisors/${publicSlug}/whatsapp`)).body.message).toBe(long.trim());
    for (const image of ['qr.svg', 'qr.png']) {
      const res = await fetch(`${service.url}/api/public/advisors/${publicSlug}/whatsapp/${image}`);
      await res.arrayBuffer();
      expect(res.status, image).toBe(200);
    }
  });

  it("stored before that rule, gets a QR code of the number's bare link, not a 500", async () => {
    const bea = await connectedAdvisor(service, 'Bea Antes', { phone: '+34612345602' });
    await service.runtime.ctx.db
      .update(whatsappConfig)
      .set({ settings: { ctaMessage: unprintable } })
      .where(eq(whatsappConfig.advisorId, bea.userId));
    const { publicSlug } = (await bea.client.get('/api/whatsapp/config')).body;
    const anon = new HttpClient(service.url);
    // The link itself still carries the message: only its picture cannot.
    const json = await anon.get(`/api/public/advisors/${publicSlug}/whatsapp`);
    expect(json.status).toBe(200);
    expect(json.body.message).toBe(unprintable);
    const svg = await fetch(`${service.url}/api/public/advisors/${publicSlug}/whatsapp/qr.svg`);
    expect(svg.status).toBe(200);
    // The same drawing as the bare link's (the QR library draws one link one way).
    const bare = await QRCode.toString('https://wa.me/34612345602', {
      type: 'svg',
      margin: 2,
      errorCorrectionLevel: 'M',
    });
    expect(await svg.text()).toBe(bare);
    const png = await fetch(`${service.url}/api/public/advisors/${publicSlug}/whatsapp/qr.png`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await png.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });
});

/**
 * A GET with exactly this User-Agent, or none (`undefined`): fetch always adds its own ("node"),
 * node:http adds none.
 */
function getWithoutFetchAgent(url: string, agent: string | undefined) {
  return new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    const headers = agent === undefined ? {} : { 'user-agent': agent };
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the counting redirect', () => {
  it('counts a visit, not a HEAD, a crawler or a link preview', async () => {
    const gil = await connectedAdvisor(service, 'Gil Cuenta', { phone: '+34612345671' });
    const { publicSlug } = (await gil.client.get('/api/whatsapp/config')).body;
    const clicks = async () => (await gil.client.get('/api/whatsapp/metrics')).body.ctaClicks;
    const go = `${service.url}/api/public/advisors/${publicSlug}/whatsapp/go`;
    const url = (await new HttpClient(service.url).get(`/api/public/advisors/${publicSlug}/whatsapp`)).body
      .url;

    const head = await fetch(go, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.headers.get('location')).toBe(url);
    expect(await clicks()).toBe(0);

    // Crawlers and link previews follow it too (a search engine on the profile, WhatsApp or
    // Slack unfolding a pasted link): they land where a visitor would, and count for nothing.
    for (const agent of [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'WhatsApp/2.24.6.77 A',
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    ]) {
      const crawl = await fetch(go, { redirect: 'manual', headers: { 'user-agent': agent } });
      expect(crawl.status, agent).toBe(302);
      expect(crawl.headers.get('location'), agent).toBe(url);
      expect(crawl.headers.get('x-robots-tag'), agent).toBe('noindex, nofollow');
    }
    expect(await clicks()).toBe(0);

    // No User-Agent at all, or an empty one: never a browser (they all send one), but a script
    // or a health check. isbot() calls a missing one human, so these used to count.
    for (const agent of [undefined, '']) {
      const res = await getWithoutFetchAgent(go, agent);
      expect(res.status, JSON.stringify(agent)).toBe(302);
      expect(res.location, JSON.stringify(agent)).toBe(url);
    }
    expect(await clicks()).toBe(0);

    const visit = await fetch(go, { redirect: 'manual', headers: { 'user-agent': VISITOR_USER_AGENT } });
    expect(visit.status).toBe(302);
    expect(await clicks()).toBe(1);
  });
});

describe("the advisor's view of the button", () => {
  it('says whether visitors see it and why not, by the rule the public route answers with', async () => {
    const anon = new HttpClient(service.url);
    const shownTo = async (client: HttpClient) => {
      const config = (await client.get('/api/whatsapp/config')).body;
      const route = await anon.get(`/api/public/advisors/${config.publicSlug}/whatsapp`);
      return { publicButton: config.publicButton, route: route.status };
    };

    const linked = await connectedAdvisor(service, 'Visible');
    expect(await shownTo(linked.client)).toEqual({
      publicButton: { visible: true, hiddenReason: null },
      route: 200,
    });

    const put = await linked.client.put('/api/whatsapp/config', { settings: { ctaEnabled: false } });
    expect(put.body.publicButton).toEqual({ visible: false, hiddenReason: 'cta_disabled' });
    expect(await shownTo(linked.client)).toEqual({ publicButton: put.body.publicButton, route: 404 });

    // With no number, that is the reason given, whatever the setting says.
    const unlinked = await signUpAdvisor(service.url, 'Unlinked Too');
    await unlinked.client.put('/api/whatsapp/config', { settings: { ctaEnabled: false } });
    expect(await shownTo(unlinked.client)).toEqual({
      publicButton: { visible: false, hiddenReason: 'no_number' },
      route: 404,
    });
  });
});

describe('public routes: slug case and CORS', () => {
  it('finds the advisor whatever the case of the slug (slugs are lower-case)', async () => {
    const eva = await connectedAdvisor(service, 'Eva Marín', { phone: '+34612345679' });
    const { publicSlug } = (await eva.client.get('/api/whatsapp/config')).body;
    expect(publicSlug).toBe(publicSlug.toLowerCase());
    const shouted = publicSlug.toUpperCase();
    const mixed = publicSlug.replace(/^./, (c: string) => c.toUpperCase());
    const anon = new HttpClient(service.url);
    const exact = await anon.get(`/api/public/advisors/${publicSlug}/whatsapp`);
    expect(exact.status).toBe(200);
    for (const slug of [shouted, mixed]) {
      const res = await anon.get(`/api/public/advisors/${slug}/whatsapp`);
      expect(res.status, slug).toBe(200);
      // The click link names the slug as it is stored.
      expect(res.body).toEqual(exact.body);
      for (const image of ['qr.svg', 'qr.png']) {
        expect((await anon.get(`/api/public/advisors/${slug}/whatsapp/${image}`)).status, image).toBe(200);
      }
      const go = await anon.get(`/api/public/advisors/${slug}/whatsapp/go`);
      expect(go.status).toBe(302);
      expect(go.headers.get('location')).toBe(exact.body.url);
    }
  });

  it('lets any origin read every answer of the public routes, errors included', async () => {
    const fay = await connectedAdvisor(service, 'Fay', { phone: '+34612345670' });
    const { publicSlug } = (await fay.client.get('/api/whatsapp/config')).body;
    const anon = new HttpClient(service.url);
    const cases: [string, number][] = [
      [`/api/public/advisors/${publicSlug}/whatsapp`, 200],
      [`/api/public/advisors/${publicSlug}/whatsapp/qr.svg`, 200],
      [`/api/public/advisors/${publicSlug}/whatsapp/qr.png`, 200],
      [`/api/public/advisors/${publicSlug}/whatsapp/go`, 302],
      ['/api/public/advisors/nobody-here/whatsapp', 404],
      [`/api/public/advisors/${'a'.repeat(81)}/whatsapp`, 400],
      [`/api/public/advisors/${'a'.repeat(81)}/whatsapp/qr.svg`, 400],
      [`/api/public/advisors/${'a'.repeat(501)}/whatsapp`, 400],
      ['/api/public/advisors/%E0%A4/whatsapp', 400],
      ['/api/public/advisors/x/whatsapp%00', 400],
      ['/api/public/advisors/x/nothing-here', 404],
    ];
    for (const [path, status] of cases) {
      const res = await anon.get(path);
      expect(res.status, path.slice(0, 60)).toBe(status);
      expect(res.headers.get('access-control-allow-origin'), path.slice(0, 60)).toBe('*');
    }
  });
});

describe('sandbox proxy', () => {
  it('serves the emulator control API and Evolution paths on the service address', async () => {
    const { client } = await signUpAdvisor(service.url, 'Proxy');
    await client.post('/api/whatsapp/connect');
    const { instanceName } = (await client.get('/api/whatsapp/config')).body;
    const anon = new HttpClient(service.url);
    const list = await anon.get('/_emulator/instances');
    expect(list.status).toBe(200);
    expect(list.body.map((i: any) => i.name)).toContain(instanceName);
    // An Evolution path through the proxy answers like Evolution (401 envelope without a key).
    const evo = await anon.get(`/_emulator/instance/connectionState/${instanceName}`);
    expect(evo.status).toBe(401);
    expect(evo.body).toEqual({ status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } });
  });
});
