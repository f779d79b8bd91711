// The templates HTTP API through real HTTP against a real database (PGlite, or PostgreSQL when
// DATABASE_URL is set): built-ins, own templates, overrides, preview, errors and tenancy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

const BASE = '/api/whatsapp/templates';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REMINDER_ES = 'builtin:appointment_reminder:es';
/** Five built-in keys in each of three languages (es, en, pt). */
const BUILT_INS = 15;

interface Template {
  id: string;
  key: string;
  name: string;
  category: string;
  language: string;
  body: string;
  variables: string[];
  customVariables: string[];
  builtIn: boolean;
  overridesBuiltIn: boolean;
  usageCount: number;
  unfillableVariables: string[];
  createdAt: string | null;
  updatedAt: string | null;
}

async function list(client: HttpClient): Promise<Template[]> {
  const res = await client.get<{ items: Template[] }>(BASE);
  expect(res.status).toBe(200);
  return res.body.items;
}

const promo = {
  key: 'bono_bienvenida',
  name: 'Bono de bienvenida',
  category: 'custom',
  language: 'es',
  body: 'Hola {nombre_cliente}, tu código es {codigo}.',
  customVariables: ['codigo'],
};

describe('listing', () => {
  it('shows the fifteen built-ins, five keys in each of three languages, with stable ids', async () => {
    const { client } = await signUpAdvisor(service.url, 'Lista');
    const items = await list(client);
    expect(items).toHaveLength(BUILT_INS);
    expect(items.every((t) => t.builtIn && !t.overridesBuiltIn && t.createdAt === null)).toBe(true);
    expect(items.map((t) => t.id).sort()).toEqual(
      ['appointment_confirmation', 'appointment_reminder', 'appointment_rescheduled', 'custom', 'follow_up']
        .flatMap((key) => [`builtin:${key}:en`, `builtin:${key}:es`, `builtin:${key}:pt`])
        .sort(),
    );
    const reminder = items.find((t) => t.id === REMINDER_ES)!;
    expect(reminder).toMatchObject({
      key: 'appointment_reminder',
      name: 'Recordatorio de cita',
      category: 'reminder',
      language: 'es',
      variables: ['nombre_cliente', 'fecha_cita', 'hora_cita', 'direccion'],
      customVariables: [],
      usageCount: 0,
      updatedAt: null,
    });
    expect(reminder.body).toContain('{nombre_cliente}');
    expect(items.find((t) => t.id === 'builtin:appointment_reminder:pt')).toMatchObject({
      name: 'Lembrete de consulta',
      category: 'reminder',
      language: 'pt',
      variables: ['nombre_cliente', 'fecha_cita', 'hora_cita', 'direccion'],
    });
  });

  it('needs a signed-in advisor', async () => {
    const res = await new HttpClient(service.url).get(BASE);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});

describe('own templates', () => {
  it('creates, reads, edits and deletes one', async () => {
    const { client } = await signUpAdvisor(service.url, 'Propia');
    const created = await client.post<Template>(BASE, promo);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      key: 'bono_bienvenida',
      category: 'custom',
      language: 'es',
      variables: ['nombre_cliente', 'codigo'],
      customVariables: ['codigo'],
      builtIn: false,
      overridesBuiltIn: false,
      usageCount: 0,
      // Not an override: no planned message could have been made from it.
      rerendered: 0,
    });
    expect(created.body.id).toMatch(UUID);
    expect(Date.parse(created.body.createdAt!)).not.toBeNaN();
    const id = created.body.id;

    const items = await list(client);
    expect(items).toHaveLength(BUILT_INS + 1);
    expect(items[BUILT_INS]!.id).toBe(id);
    const { rerendered: _, ...template } = created.body as Template & { rerendered: number };
    expect((await client.get<Template>(`${BASE}/${id}`)).body).toEqual(template);

    const edited = await client.put<Template>(`${BASE}/${id}`, {
      name: 'Bono',
      body: 'Tu código: {codigo}. {{sin variable}}',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id,
      name: 'Bono',
      variables: ['codigo'],
      customVariables: ['codigo'],
    });
    expect(Date.parse(edited.body.updatedAt!)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt!));
    expect((await client.get<Template>(`${BASE}/${id}`)).body.body).toBe(
      'Tu código: {codigo}. {{sin variable}}',
    );

    const deleted = await client.delete(`${BASE}/${id}`);
    expect(deleted.status).toBe(204);
    expect((await client.get(`${BASE}/${id}`)).status).toBe(404);
    expect((await client.delete(`${BASE}/${id}`)).status).toBe(404);
    expect(await list(client)).toHaveLength(BUILT_INS);
  });

  it('keeps every one of several edits of different fields made at the same time', async () => {
    const { client } = await signUpAdvisor(service.url, 'Simultánea');
    for (let round = 0; round < 6; round++) {
      const created = await client.post<Template>(BASE, { ...promo, key: `simultanea_${round}` });
      const id = created.body.id;
      const edits = [
        { name: `Bono ${round}` },
        { body: `Hola {nombre_cliente}, tu código nuevo es {codigo} (${round}).` },
        { customVariables: ['codigo', 'caduca'] },
      ];
      const answers = await Promise.all(edits.map((edit) => client.put<Template>(`${BASE}/${id}`, edit)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      const final = (await client.get<Template>(`${BASE}/${id}`)).body;
      expect(final, `round ${round}`).toMatchObject({
        name: `Bono ${round}`,
        body: `Hola {nombre_cliente}, tu código nuevo es {codigo} (${round}).`,
        customVariables: ['codigo', 'caduca'],
      });
    }
  });

  it('keeps keys unique per language and away from built-in keys', async () => {
    const { client } = await signUpAdvisor(service.url, 'Claves');
    expect((await client.post(BASE, promo)).status).toBe(201);
    const again = await client.post(BASE, { ...promo, name: 'Otro' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(again.body.error.details).toEqual({ key: 'bono_bienvenida', language: 'es' });
    expect((await client.post(BASE, { ...promo, language: 'en', body: 'Your code: {codigo}' })).status).toBe(
      201,
    );

    const builtinKey = await client.post(BASE, {
      ...promo,
      key: 'follow_up',
      category: 'follow_up',
      customVariables: [],
    });
    expect(builtinKey.status).toBe(422);
    expect(builtinKey.body.error.code).toBe('validation_failed');
    expect(builtinKey.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['key']);
    expect(builtinKey.body.error.message).toContain('builtin:follow_up:es');

    const badKey = await client.post(BASE, { ...promo, key: 'Bono Bienvenida' });
    expect(badKey.status).toBe(422);
    expect(badKey.body.error.details.fields).toEqual([
      { field: 'key', message: expect.stringContaining('snake_case') },
    ]);
    expect(await list(client)).toHaveLength(BUILT_INS + 2);
  });

  it('creates an override with a built-in key when asked explicitly, in place of the built-in', async () => {
    const { client } = await signUpAdvisor(service.url, 'Explícita');
    const wrongCategory = await client.post(BASE, {
      key: 'follow_up',
      name: 'Seguimiento',
      category: 'reminder',
      language: 'en',
      body: 'Hi {nombre_cliente}',
      overridesBuiltIn: true,
    });
    expect(wrongCategory.status).toBe(422);
    expect(wrongCategory.body.error.details.fields[0].field).toBe('category');

    const created = await client.post<Template>(BASE, {
      key: 'follow_up',
      name: 'Seguimiento',
      category: 'follow_up',
      language: 'en',
      body: 'Hi {nombre_cliente}',
      overridesBuiltIn: true,
    });
    expect(created.status).toBe(201);
    const items = await list(client);
    expect(items).toHaveLength(BUILT_INS);
    expect(items.find((t) => t.key === 'follow_up' && t.language === 'en')!.id).toBe(created.body.id);

    const notBuiltin = await client.post(BASE, { ...promo, overridesBuiltIn: true });
    expect(notBuiltin.status).toBe(422);
    expect(notBuiltin.body.error.details.fields[0].field).toBe('overridesBuiltIn');
  });

  it('rejects unknown and malformed variables, listing each', async () => {
    const { client } = await signUpAdvisor(service.url, 'Variables');
    const res = await client.post(BASE, {
      ...promo,
      body: 'Hola {nombre_cliente}, {codigo} y {descuento}. Mal: {Nombre} y {fecha_cita',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_template');
    expect(res.body.error.details.unknown).toEqual(['descuento']);
    expect(res.body.error.details.malformed).toEqual(['{Nombre}', '{fecha_cita']);
    expect(res.body.error.message).toContain('{descuento}');
    expect(res.body.error.message).toContain('{Nombre}');
    expect(res.body.error.message).toContain('{fecha_cita');

    // Declared variables only count in the custom category.
    const reminder = await client.post(BASE, {
      key: 'aviso',
      name: 'Aviso',
      category: 'reminder',
      language: 'es',
      body: 'Hola {nombre_cliente}, {codigo}',
    });
    expect(reminder.status).toBe(422);
    expect(reminder.body.error.details.unknown).toEqual(['codigo']);

    const declared = await client.post(BASE, { ...promo, category: 'reminder' });
    expect(declared.status).toBe(422);
    expect(declared.body.error.details.fields[0].field).toBe('customVariables');
    expect(await list(client)).toHaveLength(BUILT_INS);
  });

  it('rejects an empty or too long body and an empty name with the fields named', async () => {
    const { client } = await signUpAdvisor(service.url, 'Longitud');
    const empty = await client.post(BASE, { ...promo, name: '  ', body: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('validation_failed');
    expect(empty.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'body',
      'name',
    ]);

    const long = await client.post(BASE, { ...promo, body: `{codigo} ${'a'.repeat(4096)}` });
    expect(long.status).toBe(422);
    expect(long.body.error.details.fields).toEqual([
      { field: 'body', message: expect.stringContaining('4096') },
    ]);

    const created = await client.post<Template>(BASE, promo);
    const emptied = await client.put(`${BASE}/${created.body.id}`, { body: '' });
    expect(emptied.status).toBe(422);
    expect(emptied.body.error.details.fields[0].field).toBe('body');
    expect((await client.get<Template>(`${BASE}/${created.body.id}`)).body.body).toBe(promo.body);
  });

  it('refuses to change the key or language, and rejects unknown body fields', async () => {
    const { client } = await signUpAdvisor(service.url, 'Inmutable');
    const created = await client.post<Template>(BASE, promo);
    const res = await client.put(`${BASE}/${created.body.id}`, { key: 'otra' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect((await client.get<Template>(`${BASE}/${created.body.id}`)).body.key).toBe('bono_bienvenida');
  });
});

describe('overriding built-ins', () => {
  it('editing a built-in creates an override shown in its place; deleting it restores the built-in', async () => {
    const { client } = await signUpAdvisor(service.url, 'Override');
    const before = await list(client);
    const slot = before.findIndex((t) => t.id === REMINDER_ES);

    const body = 'Hola {nombre_cliente}: mañana {fecha_cita} a las {hora_cita}. ¡Te espero!';
    const edited = await client.put<Template & { rerendered: number }>(`${BASE}/${REMINDER_ES}`, { body });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      rerendered: 0,
      key: 'appointment_reminder',
      language: 'es',
      category: 'reminder',
      name: 'Recordatorio de cita',
      body,
      variables: ['nombre_cliente', 'fecha_cita', 'hora_cita'],
      builtIn: false,
      overridesBuiltIn: true,
    });
    expect(edited.body.id).toMatch(UUID);

    const after = await list(client);
    expect(after).toHaveLength(BUILT_INS);
    const { rerendered: _, ...listed } = edited.body;
    expect(after[slot]).toEqual(listed);
    expect(after.some((t) => t.id === REMINDER_ES)).toBe(false);
    // The English reminder is untouched.
    expect(after.find((t) => t.key === 'appointment_reminder' && t.language === 'en')!.builtIn).toBe(true);

    // The built-in id still names the original, and editing it again edits the same override.
    const original = await client.get<Template>(`${BASE}/${REMINDER_ES}`);
    expect(original.body).toMatchObject({ builtIn: true, body: before[slot]!.body });
    const renamed = await client.put<Template>(`${BASE}/${REMINDER_ES}`, { name: 'Mi recordatorio' });
    expect(renamed.body).toMatchObject({ id: edited.body.id, name: 'Mi recordatorio', body });

    const recategorised = await client.put(`${BASE}/${edited.body.id}`, { category: 'custom' });
    expect(recategorised.status).toBe(422);
    expect(recategorised.body.error.details.fields[0].field).toBe('category');

    const forbidden = await client.delete(`${BASE}/${REMINDER_ES}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    expect(forbidden.body.error.message).toContain('Built-in templates cannot be deleted');

    expect((await client.delete(`${BASE}/${edited.body.id}`)).status).toBe(204);
    expect(await list(client)).toEqual(before);
  });

  it('keeps an override of the Portuguese built-in apart from the Spanish one of the same key', async () => {
    const { client } = await signUpAdvisor(service.url, 'Override pt');
    const es = await client.put<Template>(`${BASE}/${REMINDER_ES}`, {
      body: 'Hola {nombre_cliente}, {fecha_cita}.',
    });
    const pt = await client.put<Template>(`${BASE}/builtin:appointment_reminder:pt`, {
      body: 'Oi {nombre_cliente}, {fecha_cita}.',
    });
    expect(es.status).toBe(200);
    expect(pt.status).toBe(200);
    expect(pt.body).toMatchObject({
      key: 'appointment_reminder',
      language: 'pt',
      name: 'Lembrete de consulta',
    });
    expect(pt.body.id).not.toBe(es.body.id);

    const items = await list(client);
    expect(items).toHaveLength(BUILT_INS);
    const reminders = items.filter((t) => t.key === 'appointment_reminder');
    expect(reminders.map((t) => [t.language, t.builtIn, t.body.slice(0, 4)])).toEqual([
      ['es', false, 'Hola'],
      ['en', true, 'Hi {'],
      ['pt', false, 'Oi {'],
    ]);
  });

  it('rejects an override body with variables the automation cannot fill', async () => {
    const { client } = await signUpAdvisor(service.url, 'OverrideMal');
    const res = await client.put(`${BASE}/${REMINDER_ES}`, { body: 'Hola {nombre_cliente} {codigo}' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_template');
    expect(res.body.error.details.unknown).toEqual(['codigo']);
    expect(
      (await list(client)).find((t) => t.key === 'appointment_reminder' && t.language === 'es')!.builtIn,
    ).toBe(true);
  });

  it('refuses {mensaje_personalizado} where the automation never has one, by every way of overriding', async () => {
    // Accepted before, then every automated confirmation or reminder failed with missing_variable.
    const { client } = await signUpAdvisor(service.url, 'OverridePersonal');
    const body = 'Hola {nombre_cliente} {mensaje_personalizado}';
    const edit = await client.put(`${BASE}/${REMINDER_ES}`, { body });
    expect(edit.status).toBe(422);
    expect(edit.body.error).toMatchObject({
      code: 'invalid_template',
      message: expect.stringContaining('only the follow-up'),
      details: { unknown: ['mensaje_personalizado'] },
    });
    expect(edit.body.error.details.allowed).not.toContain('mensaje_personalizado');
    const created = await client.post(BASE, {
      key: 'appointment_confirmation',
      language: 'en',
      name: 'Mine',
      category: 'confirmation',
      body,
      overridesBuiltIn: true,
    });
    expect(created.status).toBe(422);
    expect(created.body.error.details.unknown).toEqual(['mensaje_personalizado']);
    // An existing override cannot gain it either.
    const override = await client.put(`${BASE}/${REMINDER_ES}`, {
      body: 'Hola {nombre_cliente}, te espero.',
    });
    expect(override.status).toBe(200);
    expect((await client.put(`${BASE}/${override.body.id}`, { body })).status).toBe(422);
    // The follow-up has one, and so may a template of the advisor's own in the same category.
    expect((await client.put(`${BASE}/builtin:follow_up:es`, { body })).status).toBe(200);
    const own = await client.post(BASE, {
      key: 'recordatorio_propio',
      language: 'es',
      name: 'Propio',
      category: 'reminder',
      body,
    });
    expect(own.status).toBe(201);

    // Each template says which variables it cannot use, by the same rule, for the editor.
    const unfillable = (await list(client)).map((t) => [t.key, t.builtIn, t.unfillableVariables]);
    expect(unfillable).toEqual(
      expect.arrayContaining([
        ['appointment_confirmation', true, ['mensaje_personalizado']],
        ['appointment_rescheduled', true, ['mensaje_personalizado']],
        ['appointment_reminder', false, ['mensaje_personalizado']],
        ['follow_up', false, []],
        ['recordatorio_propio', false, []],
      ]),
    );
    expect(override.body.unfillableVariables).toEqual(['mensaje_personalizado']);
    expect(own.body.unfillableVariables).toEqual([]);
  });
});

describe('preview', () => {
  it('renders a built-in and reports missing and unknown variables', async () => {
    const { client } = await signUpAdvisor(service.url, 'Preview');
    const res = await client.post(`${BASE}/builtin:appointment_confirmation:es/preview`, {
      variables: {
        nombre_cliente: 'Ana',
        nombre_asesor: 'Luis',
        fecha_cita: 'lunes 1 de diciembre',
        hora: '9:00',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.missing).toEqual(['hora_cita']);
    expect(res.body.unknown).toEqual(['hora']);
    expect(res.body.text).toContain('Hola, Ana. Soy Luis');
    expect(res.body.text).toContain('📅 lunes 1 de diciembre');
    expect(res.body.text).toContain('🕐 {hora_cita}');
  });

  it("fills {nombre_asesor} with the account's name when left out, as a send does", async () => {
    // A send of a template that uses {nombre_asesor} takes the account's name when the caller
    // leaves it out (API-EXTENSIONS, send); the preview listed it as missing, so it said a send
    // would fail that goes out, and showed a text other than the one the client gets.
    const { client } = await signUpAdvisor(service.url, 'Marta Ruiz');
    const variables = { nombre_cliente: 'Ana', fecha_cita: 'lunes', hora_cita: '9:00' };
    const res = await client.post(`${BASE}/builtin:appointment_confirmation:es/preview`, { variables });
    expect(res.status).toBe(200);
    expect(res.body.missing).toEqual([]);
    expect(res.body.unknown).toEqual([]);
    expect(res.body.text).toContain('Hola, Ana. Soy Marta Ruiz y tu cita');
    // A name given (not blank) wins, as on a send.
    const given = await client.post(`${BASE}/builtin:appointment_confirmation:es/preview`, {
      variables: { ...variables, nombre_asesor: 'la Dra. Ruiz' },
    });
    expect(given.body.text).toContain('Soy la Dra. Ruiz y');
    const blank = await client.post(`${BASE}/builtin:appointment_confirmation:es/preview`, {
      variables: { ...variables, nombre_asesor: '  ' },
    });
    expect(blank.body).toMatchObject({ missing: [], unknown: [] });
    expect(blank.body.text).toContain('Soy Marta Ruiz y');
    // The send answers the same text.
    const sent = await client.post('/api/whatsapp/send', {
      to: '+34612000099',
      template: { key: 'appointment_confirmation', language: 'es' },
      variables,
    });
    expect(sent.status).toBe(202);
    expect(sent.body.message.text).toBe(res.body.text);
  });

  it("previews a built-in's id as a send by that id would go: with the advisor's override of it", async () => {
    const { client } = await signUpAdvisor(service.url, 'Vista previa');
    const edited = await client.put(`${BASE}/${REMINDER_ES}`, {
      body: 'Hola {nombre_cliente}, te espero mañana.',
    });
    expect(edited.status).toBe(200);
    const res = await client.post(`${BASE}/${REMINDER_ES}/preview`, { variables: { nombre_cliente: 'Ana' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ text: 'Hola Ana, te espero mañana.', missing: [], unknown: [], length: 27 });
  });

  it("renders the advisor's own template, with no variables at all", async () => {
    const { client } = await signUpAdvisor(service.url, 'PreviewPropia');
    const created = await client.post<Template>(BASE, promo);
    const full = await client.post(`${BASE}/${created.body.id}/preview`, {
      variables: { nombre_cliente: 'Ana', codigo: 'X1' },
    });
    expect(full.body).toEqual({ text: 'Hola Ana, tu código es X1.', missing: [], unknown: [], length: 26 });
    const none = await client.post(`${BASE}/${created.body.id}/preview`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({
      text: promo.body,
      missing: ['nombre_cliente', 'codigo'],
      unknown: [],
      length: promo.body.length,
    });
    // The body is optional: a bare POST (no body, no Content-Type) reads the same as `{}`.
    const bare = await client.request('POST', `${BASE}/${created.body.id}/preview`);
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual(none.body);
  });

  it('takes the variables a send takes: a number is its text, as on a send', async () => {
    // A send takes numbers as variable values (API-EXTENSIONS, send); the preview of the same
    // variables was 400 "expected string", so a caller could not preview what it was about to send.
    const { client } = await signUpAdvisor(service.url, 'PreviewNumero');
    const created = await client.post<Template>(BASE, promo);
    const variables = { nombre_cliente: 'Ana', codigo: 1234 };
    const res = await client.post(`${BASE}/${created.body.id}/preview`, { variables });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ text: 'Hola Ana, tu código es 1234.', missing: [], unknown: [], length: 28 });
    const sent = await client.post('/api/whatsapp/send', {
      to: '+34612000098',
      template: { id: created.body.id },
      variables,
    });
    expect(sent.status).toBe(202);
    expect(sent.body.message.text).toBe(res.body.text);
    // A whole number JSON has already rounded is refused naming the variable, as a send refuses it.
    const rounded = await client.post(
      `${BASE}/${created.body.id}/preview`,
      '{"variables":{"nombre_cliente":"Ana","codigo":12345678901234567890}}',
    );
    expect(rounded.status).toBe(400);
    expect(rounded.body.error.details.fields).toEqual([
      { field: 'variables.codigo', message: expect.stringContaining('send it as a string') },
    ]);
  });
  it("tells the text's length, so a caller can see before sending that it is over WhatsApp's limit", async () => {
    // The preview rendered a text the send then refused (422, over 4,096 characters) without a
    // word about its size: a caller checking with the preview first learnt it only on the send.
    const { client } = await signUpAdvisor(service.url, 'PreviewLargo');
    const created = await client.post<Template>(BASE, promo);
    const variables = { nombre_cliente: 'Ana', codigo: '🙂'.repeat(2_040) };
    const res = await client.post(`${BASE}/${created.body.id}/preview`, { variables });
    expect(res.status).toBe(200);
    // Counted as the send counts it: each emoji is two UTF-16 units.
    expect(res.body.length).toBe(res.body.text.length);
    expect(res.body.length).toBe('Hola Ana, tu código es .'.length + 4_080);
    expect(res.body.length).toBeGreaterThan(4_096);
    const sent = await client.post('/api/whatsapp/send', {
      to: '+34612000097',
      template: { id: created.body.id },
      variables,
    });
    expect(sent.status).toBe(422);
    expect(sent.body.error.details.fields[0].message).toContain(`renders ${res.body.length} characters`);
  });
});

describe('sending', () => {
  it("names the template when its text, rendered with the variables given, is over WhatsApp's limit", async () => {
    const { client } = await signUpAdvisor(service.url);
    const created = await client.post(BASE, promo);
    expect(created.status).toBe(201);
    const send = (extra: Record<string, unknown>, codigo: string) =>
      client.post('/api/whatsapp/send', {
        to: '+34600111222',
        template: { id: created.body.id },
        variables: { nombre_cliente: 'Ana', codigo },
        ...extra,
      });

    const text = await send({}, 'x'.repeat(4_090));
    expect(text.status).toBe(422);
    expect(text.body.error.code).toBe('validation_failed');
    expect(text.body.error.details.fields).toEqual([
      { field: 'template', message: expect.stringMatching(/renders \d+ characters; at most 4096/) },
    ]);

    const caption = await send(
      { type: 'image', media: { url: 'https://example.com/photo.jpg' } },
      'x'.repeat(1_010),
    );
    expect(caption.status).toBe(422);
    expect(caption.body.error.details.fields).toEqual([
      { field: 'template', message: expect.stringMatching(/renders \d+ characters; at most 1024/) },
    ]);

    // Written by the caller, the field to shorten is still the one they sent.
    const typed = await client.post('/api/whatsapp/send', { to: '+34600111222', text: 'y'.repeat(4_097) });
    expect(typed.status).toBe(422);
    expect(typed.body.error.details.fields[0].field).toBe('text');
  });
});

describe('ids that name nothing', () => {
  const bogus = [
    'nope',
    'builtin:nope:es',
    'builtin:follow_up:fr',
    'builtin:follow_up',
    '00000000-0000-0000-0000-00000000000',
    '0000000g-0000-0000-0000-000000000000',
    "1' or '1'='1",
    '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  ];

  let client: HttpClient;
  beforeAll(async () => {
    ({ client } = await signUpAdvisor(service.url, 'Bogus'));
  });

  it.each(bogus)('answers 404 for %s on every route', async (id) => {
    const path = `${BASE}/${encodeURIComponent(id)}`;
    for (const res of [
      await client.get(path),
      await client.put(path, { name: 'x' }),
      await client.delete(path),
      await client.post(`${path}/preview`, { variables: {} }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('tenant isolation', () => {
  it("another advisor can neither see nor touch a template, and A's override leaves B's built-in alone", async () => {
    const a = await signUpAdvisor(service.url, 'Tenant A');
    const b = await signUpAdvisor(service.url, 'Tenant B');
    const own = await a.client.post<Template>(BASE, promo);
    const override = await a.client.put<Template>(`${BASE}/${REMINDER_ES}`, { body: 'A: {nombre_cliente}' });
    expect(override.status).toBe(200);

    const seenByB = await list(b.client);
    expect(seenByB).toHaveLength(BUILT_INS);
    expect(seenByB.map((t) => t.id)).not.toContain(own.body.id);
    expect(seenByB.map((t) => t.id)).not.toContain(override.body.id);
    const bReminder = seenByB.find((t) => t.key === 'appointment_reminder' && t.language === 'es')!;
    expect(bReminder).toMatchObject({ id: REMINDER_ES, builtIn: true });
    expect(bReminder.body).not.toContain('A:');

    for (const id of [own.body.id, override.body.id]) {
      const attempts = [
        await b.client.get(`${BASE}/${id}`),
        await b.client.put(`${BASE}/${id}`, { name: 'hijacked', body: 'B {nombre_cliente}' }),
        await b.client.post(`${BASE}/${id}/preview`, { variables: { nombre_cliente: 'x' } }),
        await b.client.delete(`${BASE}/${id}`),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(JSON.stringify(res.body)).not.toContain(promo.body);
      }
    }

    // B editing the same built-in makes B's own override; A's stays as it was.
    const bOverride = await b.client.put<Template>(`${BASE}/${REMINDER_ES}`, { body: 'B: {nombre_cliente}' });
    expect(bOverride.body.id).not.toBe(override.body.id);
    const seenByA = await list(a.client);
    expect(seenByA).toHaveLength(BUILT_INS + 1);
    expect(seenByA.find((t) => t.id === own.body.id)).toMatchObject({ name: promo.name, body: promo.body });
    expect(seenByA.find((t) => t.id === override.body.id)).toMatchObject({ body: 'A: {nombre_cliente}' });
  });
});

describe('usage counts', () => {
  it('counts outbound messages that reached the pipeline, per template, for the advisor only', async () => {
    const a = await signUpAdvisor(service.url, 'Uso A');
    const b = await signUpAdvisor(service.url, 'Uso B');
    const own = await a.client.post<Template>(BASE, promo);
    const db = service.database.db;
    const message = (advisorId: string, values: Partial<typeof whatsappMessage.$inferInsert>) => ({
      advisorId,
      direction: 'outbound',
      status: 'sent',
      ...values,
    });
    await db
      .insert(whatsappMessage)
      .values([
        message(a.userId, { templateId: own.body.id, templateKey: promo.key }),
        message(a.userId, { templateId: own.body.id, templateKey: promo.key, status: 'read' }),
        message(a.userId, { templateId: own.body.id, templateKey: promo.key, status: 'queued' }),
        message(a.userId, { templateId: own.body.id, templateKey: promo.key, status: 'failed' }),
        message(a.userId, { templateId: own.body.id, templateKey: promo.key, status: 'cancelled' }),
        message(a.userId, { templateId: own.body.id, templateKey: promo.key, status: 'skipped' }),
        message(a.userId, { templateId: own.body.id, direction: 'inbound', status: 'received' }),
        message(a.userId, { templateKey: 'appointment_reminder', status: 'delivered' }),
        message(a.userId, { templateKey: 'appointment_reminder' }),
        message(b.userId, { templateKey: 'appointment_reminder' }),
      ]);

    const items = await list(a.client);
    expect(items.find((t) => t.id === own.body.id)!.usageCount).toBe(3);
    expect((await a.client.get<Template>(`${BASE}/${own.body.id}`)).body.usageCount).toBe(3);
    // Untouched built-ins count on the advisor's language (es by default), once.
    expect(items.find((t) => t.id === REMINDER_ES)!.usageCount).toBe(2);
    expect(items.find((t) => t.id === 'builtin:appointment_reminder:en')!.usageCount).toBe(0);
    expect(items.find((t) => t.id === 'builtin:follow_up:es')!.usageCount).toBe(0);
    expect((await list(b.client)).find((t) => t.id === REMINDER_ES)!.usageCount).toBe(1);
  });

  it("counts an override's messages on its built-in once the override is removed", async () => {
    const a = await signUpAdvisor(service.url, 'Uso revertido');
    const override = await a.client.put<Template>(`${BASE}/${REMINDER_ES}`, {
      body: 'Hola {nombre_cliente}, nos vemos el {fecha_cita} a las {hora_cita}.',
    });
    expect(override.status).toBe(200);
    await service.database.db.insert(whatsappMessage).values([
      {
        advisorId: a.userId,
        direction: 'outbound',
        status: 'sent',
        templateId: override.body.id,
        templateKey: 'appointment_reminder',
        templateLanguage: 'es',
      },
      {
        advisorId: a.userId,
        direction: 'outbound',
        status: 'read',
        templateKey: 'appointment_reminder',
        templateLanguage: 'es',
      },
    ]);
    expect((await list(a.client)).find((t) => t.id === override.body.id)!.usageCount).toBe(1);
    expect((await a.client.delete(`${BASE}/${override.body.id}`)).status).toBe(204);
    expect((await list(a.client)).find((t) => t.id === REMINDER_ES)!.usageCount).toBe(2);
  });

  it('counts a built-in sent in English or Portuguese on its own language, and a scheduled send only once it goes out', async () => {
    const a = await signUpAdvisor(service.url, 'Uso idiomas');
    const send = (language: 'es' | 'en' | 'pt', scheduledAt?: string) =>
      a.client.post('/api/whatsapp/send', {
        to: '+34612000081',
        template: { key: 'custom', language },
        variables: { nombre_cliente: 'Ana', mensaje_personalizado: 'Hola' },
        ...(scheduledAt ? { scheduledAt } : {}),
      });
    expect((await send('en')).status).toBe(202);
    expect((await send('en')).status).toBe(202);
    expect((await send('es')).status).toBe(202);
    const pt = await send('pt');
    expect(pt.status).toBe(202);
    expect(pt.body.message.text).toBe('Olá, Ana,\n\nHola');
    const later = await send('es', new Date(Date.now() + 24 * 3_600_000).toISOString());
    expect(later.body.message.status).toBe('scheduled');

    const items = await list(a.client);
    expect(items.find((t) => t.id === 'builtin:custom:en')!.usageCount).toBe(2);
    expect(items.find((t) => t.id === 'builtin:custom:es')!.usageCount).toBe(1);
    expect(items.find((t) => t.id === 'builtin:custom:pt')!.usageCount).toBe(1);
  });
});
