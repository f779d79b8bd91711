// The template repository against a real database: every write is scoped to its advisor, and the
// platform-wide usage statistics for the admin metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countTemplateUsage,
  deleteTemplateRow,
  findTemplateRow,
  insertTemplateRow,
  listTemplateRows,
  updateTemplateRow,
  type NewTemplate,
} from '../../src/db/repositories/template.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAdvisor, insertMessages } from './db-fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

const row = (values: Partial<NewTemplate> = {}): NewTemplate => ({
  key: 'bono',
  name: 'Bono',
  category: 'custom',
  language: 'es',
  body: 'Hola {nombre_cliente}',
  variables: ['nombre_cliente'],
  customVariables: [],
  overridesBuiltIn: false,
  ...values,
});

describe('template rows', () => {
  it('never reads, updates or deletes another advisor’s row', async () => {
    const a = await createAdvisor(database.db);
    const b = await createAdvisor(database.db);
    const inserted = (await insertTemplateRow(database.db, a, row()))!;
    expect(await findTemplateRow(database.db, b, inserted.id)).toBeNull();
    expect(await updateTemplateRow(database.db, b, inserted.id, { name: 'x' })).toBeNull();
    expect(await deleteTemplateRow(database.db, b, inserted.id)).toBeNull();
    expect(await listTemplateRows(database.db, b)).toEqual([]);
    expect(await findTemplateRow(database.db, a, inserted.id)).toMatchObject({ name: 'Bono' });
  });

  it('answers null instead of throwing when the key and language are taken', async () => {
    const a = await createAdvisor(database.db);
    const b = await createAdvisor(database.db);
    expect(await insertTemplateRow(database.db, a, row())).not.toBeNull();
    expect(await insertTemplateRow(database.db, a, row({ name: 'Otra' }))).toBeNull();
    expect(await insertTemplateRow(database.db, a, row({ language: 'en' }))).not.toBeNull();
    expect(await insertTemplateRow(database.db, b, row())).not.toBeNull();
  });
});

describe('countTemplateUsage', () => {
  it('splits messages by row id, and by key and language for those without one', async () => {
    const a = await createAdvisor(database.db);
    const inserted = (await insertTemplateRow(database.db, a, row()))!;
    await insertMessages(database.db, a, [
      { templateId: inserted.id, templateKey: 'bono' },
      { templateId: inserted.id, templateKey: 'bono', status: 'delivered' },
      { templateId: inserted.id, templateKey: 'bono', status: 'scheduled' },
      { templateKey: 'follow_up' },
      { templateKey: 'follow_up', templateLanguage: 'en' },
      { templateKey: 'follow_up', templateLanguage: 'en', status: 'read' },
      { templateKey: 'follow_up', status: 'skipped' },
      { templateKey: 'follow_up', templateLanguage: 'es', status: 'scheduled' },
      { text: 'sin plantilla' },
    ]);
    const usage = await countTemplateUsage(database.db, a);
    expect([...usage.byTemplateId]).toEqual([[inserted.id, 2]]);
    expect([...usage.byKeyWithoutId.keys()]).toEqual(['follow_up']);
    expect(Object.fromEntries(usage.byKeyWithoutId.get('follow_up')!)).toEqual({ null: 1, en: 2 });
  });
});
