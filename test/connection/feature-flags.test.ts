// Feature switches: defaults from the environment (FEATURE_*), per-advisor overrides by an
// admin, changed atomically (concurrent changes to different switches all stick), and the
// public page with `publicCta` off answering exactly like a page that does not exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor, VISITOR_USER_AGENT } from '../support/http.js';
import { type TestService } from '../support/service.js';
import { startServiceWithAdmin } from '../support/admin.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin({
    FEATURE_SENDING: 'true',
    FEATURE_REMINDERS: 'false',
    FEATURE_INBOX: '0',
    FEATURE_PUBLIC_CTA: 'no',
  }));
});
afterAll(async () => {
  await service?.close();
});

const features = (client: HttpClient) =>
  client.get('/api/whatsapp/config').then((r) => r.body.features as Record<string, boolean>);

describe('defaults from the environment', () => {
  it('apply to every advisor without an override, on the routes too', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Defaults');
    expect(await features(client)).toEqual({
      sending: true,
      reminders: false,
      inbox: false,
      publicCta: false,
    });
    const inbox = await client.get('/api/whatsapp/conversations');
    expect(inbox.status).toBe(403);
    expect(inbox.body.error).toMatchObject({ code: 'feature_disabled', details: { feature: 'inbox' } });
    const appointments = await client.get('/api/appointments');
    expect(appointments.status).toBe(403);
    expect(appointments.body.error.details.feature).toBe('reminders');

    // An override for one switch leaves the others on their defaults.
    const on = await admin.put(`/api/admin/advisors/${userId}/features`, { inbox: true });
    expect(on.body).toEqual({ sending: true, reminders: false, inbox: true, publicCta: false });
    expect((await client.get('/api/whatsapp/conversations')).status).toBe(200);
    expect((await client.get('/api/appointments')).status).toBe(403);
  });
});

describe('admin changes', () => {
  it('to different switches at the same moment all stick', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Concurrent Flags');
    const put = (body: Record<string, boolean>) => admin.put(`/api/admin/advisors/${userId}/features`, body);
    for (let round = 0; round < 8; round++) {
      const value = round % 2 === 0;
      const results = await Promise.all([
        put({ sending: value }),
        put({ reminders: !value }),
        put({ inbox: value }),
        put({ publicCta: !value }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(await features(client), `round ${round}`).toEqual({
        sending: value,
        reminders: !value,
        inbox: value,
        publicCta: !value,
      });
    }
  });
});

describe('the public page with publicCta off', () => {
  it('answers like a page that does not exist, on every public route, and counts nothing', async () => {
    const advisor = await connectedAdvisor(service, 'Publica');
    const {
      publicSlug,
      features: flags,
      publicButton,
    } = (await advisor.client.get('/api/whatsapp/config')).body;
    expect(flags.publicCta).toBe(false);
    // The advisor is told why; visitors are not.
    expect(publicButton).toEqual({ visible: false, hiddenReason: 'feature_disabled' });
    const anon = new HttpClient(service.url);
    const base = `/api/public/advisors/${publicSlug}/whatsapp`;
    const unknown = await anon.get('/api/public/advisors/nobody-at-all/whatsapp');

    for (const path of [base, `${base}/go`, `${base}/qr.svg`, `${base}/qr.png`]) {
      const res = await anon.get(path);
      expect(res.status, path).toBe(404);
      // The same body as for a slug nobody has: a visitor learns nothing about the account.
      expect(res.body, path).toEqual(unknown.body);
    }
    expect((await anon.get(base)).headers.get('access-control-allow-origin')).toBe('*');
    expect((await advisor.client.get('/api/whatsapp/metrics')).body.ctaClicks).toBe(0);

    // Switched on for this advisor by an admin, the same routes answer.
    await admin.put(`/api/admin/advisors/${advisor.userId}/features`, { publicCta: true });
    const res = await anon.get(base);
    expect(res.status).toBe(200);
    expect(res.body.phone).toBe(advisor.phone);
    expect((await anon.get(`${base}/go`, { 'user-agent': VISITOR_USER_AGENT })).status).toBe(302);
    expect((await advisor.client.get('/api/whatsapp/metrics')).body.ctaClicks).toBe(1);
    expect((await advisor.client.get('/api/whatsapp/config')).body.publicButton).toEqual({
      visible: true,
      hiddenReason: null,
    });
  });
});
