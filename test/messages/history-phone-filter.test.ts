// The history's `?phone` filter given digits alone (no "+", no "00"): the number they make with a
// country code, as written, and every number containing them. A national number is such digits
// too, and ~10% of them also read as some other country's whole number (Colombia's 321 505 7309
// as Belgium's +32 1505 7309, the US (607) 412-6797 as +60 7412 6797 in Malaysia): matched only
// as that number, the history said the advisor had never written to their client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused' },
  });
});
afterAll(async () => {
  await service?.close();
});

describe('GET /api/whatsapp/messages?phone= with digits only', () => {
  it.each([
    ['CO', '321 505 7309', '+573215057309', '3215057309'],
    ['US', '(607) 412-6797', '+16074126797', '6074126797'],
    ['MX', '643 704 8966', '+526437048966', '6437048966'],
  ])('finds a %s client by the national number %j', async (country, to, e164, digits) => {
    const { client } = await signUpAdvisor(service.url, `Ana ${country}`);
    const put = await client.put('/api/whatsapp/config', { settings: { defaultCountry: country } });
    expect(put.status).toBe(200);
    const sent = await client.post('/api/whatsapp/send', { to, text: 'hola' });
    expect(sent.status).toBe(202);
    expect(sent.body.message.phone).toBe(e164);
    const found = await client.get(`/api/whatsapp/messages?phone=${digits}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((m: { id: string }) => m.id)).toEqual([sent.body.message.id]);
  });

  it('finds a client by the national number as dialled at home, trunk 0 included', async () => {
    const { client } = await signUpAdvisor(service.url, 'Ana GB');
    await client.put('/api/whatsapp/config', { settings: { defaultCountry: 'GB' } });
    const sent = await client.post('/api/whatsapp/send', { to: '07911 123456', text: 'hello' });
    expect([sent.status, sent.body.message?.phone]).toEqual([202, '+447911123456']);
    for (const phone of ['07911 123456', '07911123456', '0791']) {
      const found = await client.get(`/api/whatsapp/messages?phone=${encodeURIComponent(phone)}`);
      expect([found.status, found.body.items?.map((m: { id: string }) => m.id)], phone).toEqual([
        200,
        [sent.body.message.id],
      ]);
    }
  });

  it('reads full-width digits (a CJK keyboard) as the digits they show', async () => {
    const { client } = await signUpAdvisor(service.url, 'Ana JP');
    await client.put('/api/whatsapp/config', { settings: { defaultCountry: 'CO' } });
    const sent = await client.post('/api/whatsapp/send', { to: '321 505 7309', text: 'hola' });
    expect(sent.body.message.phone).toBe('+573215057309');
    for (const phone of ['３２１５０５７３０９', '７３０９']) {
      const found = await client.get(`/api/whatsapp/messages?phone=${encodeURIComponent(phone)}`);
      expect([found.status, found.body.items?.map((m: { id: string }) => m.id)], phone).toEqual([
        200,
        [sent.body.message.id],
      ]);
    }
  });

  // libphonenumber reads these digits, but our clean-up before it did not: `to` was 422
  // invalid_phone, and the filter dropped them (400).
  it('reads Arabic-Indic and Persian digits (an Arabic or Persian keyboard) as the digits they show', async () => {
    const { client } = await signUpAdvisor(service.url, 'Ana AR');
    await client.put('/api/whatsapp/config', { settings: { defaultCountry: 'CO' } });
    const sent = await client.post('/api/whatsapp/send', { to: '٣٢١ ٥٠٥ ٧٣٠٩', text: 'hola' });
    expect([sent.status, sent.body.message?.phone]).toEqual([202, '+573215057309']);
    const international = await client.post('/api/whatsapp/send', { to: '+۵۷ ۳۲۱ ۵۰۵ ۷۳۰۹', text: 'otra' });
    expect([international.status, international.body.message?.phone]).toEqual([202, '+573215057309']);
    const ids = [international.body.message.id, sent.body.message.id].sort();
    for (const phone of ['٣٢١٥٠٥٧٣٠٩', '۷۳۰۹', '+٥٧٣٢١٥٠٥٧٣٠٩']) {
      const found = await client.get(`/api/whatsapp/messages?phone=${encodeURIComponent(phone)}`);
      const foundIds = found.body.items?.map((m: { id: string }) => m.id).sort();
      expect([found.status, foundIds], phone).toEqual([200, ids]);
    }
  });

  it('still reads digits as the whole number they make with their country code', async () => {
    const { client } = await signUpAdvisor(service.url, 'Bea');
    // The old Mexican mobile prefix: stored without it, found with it ("+" lost in a query string).
    const sent = await client.post('/api/whatsapp/send', { to: '+52 1 55 1234 5678', text: 'hola' });
    expect(sent.body.message.phone).toBe('+525512345678');
    for (const phone of ['5215512345678', '%2B5215512345678', '525512345678']) {
      const found = await client.get(`/api/whatsapp/messages?phone=${phone}`);
      expect(
        found.body.items.map((m: { id: string }) => m.id),
        phone,
      ).toEqual([sent.body.message.id]);
    }
  });
});
