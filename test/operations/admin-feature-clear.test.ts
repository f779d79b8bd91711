// An admin's per-advisor feature override can be cleared: `null` for a feature removes the
// override and the advisor follows the server default (FEATURE_*) again. It could not: the route
// took booleans only, so once an admin had sent `{ inbox: true }` the advisor stayed pinned to
// true whatever the environment default later became, with no way back to "use the default".
import { describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { NO_GATEWAY, useServiceWithAdmin } from '../support/admin.js';

const setup = useServiceWithAdmin({
  ...NO_GATEWAY,
  FEATURE_SENDING: 'true',
  FEATURE_REMINDERS: 'true',
  FEATURE_INBOX: 'false',
  FEATURE_PUBLIC_CTA: 'true',
});

const DEFAULTS = { sending: true, reminders: true, inbox: false, publicCta: true };
const features = (client: HttpClient) =>
  client.get('/api/whatsapp/config').then((r) => r.body.features as Record<string, boolean>);
const put = (advisorId: string, body: unknown) =>
  setup.admin.put(`/api/admin/advisors/${advisorId}/features`, body);

describe('clearing a feature override with null', () => {
  it('brings the advisor back to the server default, on the routes too', async () => {
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Vuelve Al Default');
    expect(await features(client)).toEqual(DEFAULTS);

    const on = await put(userId, { inbox: true });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ ...DEFAULTS, inbox: true });
    expect((await client.get('/api/whatsapp/conversations')).status).toBe(200);

    const cleared = await put(userId, { inbox: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual(DEFAULTS);
    expect(await features(client)).toEqual(DEFAULTS);
    const inbox = await client.get('/api/whatsapp/conversations');
    expect(inbox.status).toBe(403);
    expect(inbox.body.error).toMatchObject({ code: 'feature_disabled', details: { feature: 'inbox' } });

    // Clearing what is not overridden is a no-op, not an error.
    const again = await put(userId, { inbox: null, publicCta: null });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(DEFAULTS);
  });

  it('mixes with booleans in one body: nulled keys cleared, set keys set, others kept', async () => {
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Mezcla');
    expect((await put(userId, { sending: false, inbox: true, reminders: false })).status).toBe(200);
    expect(await features(client)).toEqual({
      sending: false,
      reminders: false,
      inbox: true,
      publicCta: true,
    });

    const mixed = await put(userId, { inbox: null, publicCta: false });
    expect(mixed.status).toBe(200);
    // inbox back to its default (false), publicCta now overridden, sending and reminders untouched.
    expect(mixed.body).toEqual({ sending: false, reminders: false, inbox: false, publicCta: false });
    expect(await features(client)).toEqual(mixed.body);

    // Re-setting a cleared key works, and a key can be cleared and another set in the same body
    // whatever their order.
    const flipped = await put(userId, { sending: null, inbox: true, reminders: null });
    expect(flipped.body).toEqual({ sending: true, reminders: true, inbox: true, publicCta: false });
  });

  it('at the same moment as a change to another feature keeps both changes', async () => {
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Concurrente Null');
    for (let round = 0; round < 6; round++) {
      const value = round % 2 === 0;
      expect((await put(userId, { inbox: true, publicCta: !value })).status).toBe(200);
      const results = await Promise.all([
        put(userId, { inbox: null }),
        put(userId, { sending: value }),
        put(userId, { reminders: null, publicCta: value }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await features(client), `round ${round}`).toEqual({
        sending: value,
        reminders: true,
        inbox: false,
        publicCta: value,
      });
    }
  });

  it("on one advisor leaves another advisor's override alone", async () => {
    const a = await signUpAdvisor(setup.service.url, 'Ana Limpia');
    const b = await signUpAdvisor(setup.service.url, 'Beto Fijo');
    expect((await put(a.userId, { inbox: true })).status).toBe(200);
    expect((await put(b.userId, { inbox: true })).status).toBe(200);

    expect((await put(a.userId, { inbox: null })).body).toEqual(DEFAULTS);
    expect(await features(a.client)).toEqual(DEFAULTS);
    expect(await features(b.client)).toEqual({ ...DEFAULTS, inbox: true });
  });

  it('is recorded in the audit log as sent, nulls included', async () => {
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Auditada Null');
    await put(userId, { inbox: true });
    await put(userId, { inbox: null, sending: false });
    const entries = (
      (await client.get('/api/whatsapp/audit')).body.items as { action: string; content: unknown }[]
    )
      .filter((e) => e.action === 'features.update')
      .map((e) => e.content);
    expect(entries).toEqual(
      expect.arrayContaining([{ features: { inbox: true } }, { features: { inbox: null, sending: false } }]),
    );
    expect(entries).toHaveLength(2);
  });

  it('still refuses unknown keys and values that are neither boolean nor null, changing nothing', async () => {
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Estricta');
    await put(userId, { inbox: true });
    for (const body of [{ inbox: null, bogus: null }, { inbox: 'off' }, { inbox: 0 }, { inbox: {} }]) {
      const res = await put(userId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code, JSON.stringify(body)).toBe('invalid_request');
    }
    expect(await features(client)).toEqual({ ...DEFAULTS, inbox: true });
  });
});
