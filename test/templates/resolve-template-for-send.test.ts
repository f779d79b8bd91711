// resolveTemplateForSend, the send pipeline's entry to templates, against a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTemplate,
  resolveTemplateForSend,
  updateTemplate,
  type TemplateContext,
} from '../../src/domain/templates/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAdvisor, templateContext } from './db-fixtures.js';

let database: TestDatabase;
let ctx: TemplateContext;
beforeAll(async () => {
  database = await createTestDatabase();
  ctx = templateContext(database.db);
});
afterAll(async () => {
  await database?.destroy();
});

const promo = {
  key: 'bono',
  name: 'Bono',
  category: 'custom',
  language: 'en',
  body: 'Hi {nombre_cliente}, code {codigo}',
  customVariables: ['codigo'],
} as const;

async function expectError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

describe('resolveTemplateForSend', () => {
  it("resolves a built-in key in the advisor's language, with no id", async () => {
    const es = await createAdvisor(database.db);
    const en = await createAdvisor(database.db, { locale: 'en-GB' });
    const pt = await createAdvisor(database.db, { locale: 'pt-BR' });
    expect(await resolveTemplateForSend(ctx, es, { key: 'appointment_reminder' })).toMatchObject({
      id: null,
      key: 'appointment_reminder',
      language: 'es',
      category: 'reminder',
      variables: ['nombre_cliente', 'fecha_cita', 'hora_cita', 'direccion'],
    });
    const english = await resolveTemplateForSend(ctx, en, { key: 'appointment_reminder' });
    expect(english).toMatchObject({ id: null, language: 'en' });
    expect(english.body).toContain('Reply STOP');
    const portuguese = await resolveTemplateForSend(ctx, pt, { key: 'appointment_reminder' });
    expect(portuguese).toMatchObject({ id: null, language: 'pt' });
    expect(portuguese.body).toContain('responda SAIR');
    expect(await resolveTemplateForSend(ctx, es, { key: 'follow_up', language: 'en' })).toMatchObject({
      id: null,
      language: 'en',
    });
  });

  it("prefers the advisor's override, named by key or by the built-in's id", async () => {
    const advisor = await createAdvisor(database.db);
    const other = await createAdvisor(database.db);
    const override = await updateTemplate(ctx, advisor, 'builtin:follow_up:es', {
      body: 'Gracias, {nombre_cliente}',
    });
    for (const ref of [{ key: 'follow_up' }, { id: 'builtin:follow_up:es' }, { id: override.id }]) {
      expect(await resolveTemplateForSend(ctx, advisor, ref)).toEqual({
        id: override.id,
        key: 'follow_up',
        body: 'Gracias, {nombre_cliente}',
        variables: ['nombre_cliente'],
        category: 'follow_up',
        language: 'es',
      });
    }
    // Another advisor still gets the built-in, and cannot use the override's id.
    expect((await resolveTemplateForSend(ctx, other, { key: 'follow_up' })).id).toBeNull();
    await expectError(resolveTemplateForSend(ctx, other, { id: override.id }), 'not_found');
  });

  it('falls back to the only language an own template exists in, unless the language is explicit', async () => {
    const advisor = await createAdvisor(database.db);
    const created = await createTemplate(ctx, advisor, promo);
    expect(await resolveTemplateForSend(ctx, advisor, { key: 'bono' })).toMatchObject({
      id: created.id,
      language: 'en',
      variables: ['nombre_cliente', 'codigo'],
    });
    await expectError(resolveTemplateForSend(ctx, advisor, { key: 'bono', language: 'es' }), 'not_found');
    await expectError(
      resolveTemplateForSend(ctx, advisor, { key: 'bono', language: 'fr' }),
      'validation_failed',
    );
  });

  it("falls back to Spanish first when the own template is not in the advisor's language", async () => {
    const advisor = await createAdvisor(database.db, { locale: 'pt-BR' });
    await createTemplate(ctx, advisor, promo);
    const spanish = await createTemplate(ctx, advisor, {
      ...promo,
      language: 'es',
      body: 'Hola {nombre_cliente}, código {codigo}',
    });
    expect(await resolveTemplateForSend(ctx, advisor, { key: 'bono' })).toMatchObject({
      id: spanish.id,
      language: 'es',
    });
  });

  it('is a 404 for unknown keys and ids', async () => {
    const advisor = await createAdvisor(database.db);
    await expectError(resolveTemplateForSend(ctx, advisor, { key: 'nope' }), 'not_found');
    await expectError(resolveTemplateForSend(ctx, advisor, { id: 'nope' }), 'not_found');
    await expectError(resolveTemplateForSend(ctx, advisor, { id: 'builtin:nope:es' }), 'not_found');
    await expectError(
      resolveTemplateForSend(ctx, advisor, { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }),
      'not_found',
    );
  });
});
