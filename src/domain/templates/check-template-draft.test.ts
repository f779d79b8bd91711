import { describe, expect, it } from 'vitest';

import { AppError } from '../app-error.js';
import { checkTemplateDraft, templateKeyProblems, type TemplateDraft } from './check-template-draft.js';

const draft = (values: Partial<TemplateDraft> = {}): TemplateDraft => ({
  name: 'Bono',
  category: 'custom',
  body: 'Hola {nombre_cliente}, {codigo}',
  customVariables: ['codigo'],
  ...values,
});

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('checkTemplateDraft', () => {
  it('returns the trimmed name, the variables used and the declared variables without duplicates', () => {
    expect(
      checkTemplateDraft(draft({ name: '  Bono ', customVariables: ['codigo', 'codigo', 'extra'] })),
    ).toEqual({
      name: 'Bono',
      body: 'Hola {nombre_cliente}, {codigo}',
      variables: ['nombre_cliente', 'codigo'],
      customVariables: ['codigo', 'extra'],
    });
  });

  it('lists unknown and malformed variables in an invalid_template error', () => {
    const err = errorOf(() => checkTemplateDraft(draft({ body: '{nombre_cliente} {otra} {x-y} }' })));
    expect(err.code).toBe('invalid_template');
    expect(err.status).toBe(422);
    expect(err.details).toMatchObject({ unknown: ['otra'], malformed: ['{x-y}', '}'] });
    expect(err.message).toContain('{otra}');
    expect(err.message).toContain('"{x-y}"');
    expect(err.details.allowed).toContain('codigo');
  });

  it('collects field problems, the caller’s included, into one validation_failed error', () => {
    const err = errorOf(() =>
      checkTemplateDraft(draft({ name: '', body: '' }), [{ field: 'key', message: 'is taken' }]),
    );
    expect(err.code).toBe('validation_failed');
    expect(err.details.fields).toEqual([
      { field: 'key', message: 'is taken' },
      { field: 'name', message: 'must not be empty' },
      { field: 'body', message: 'must not be empty' },
    ]);
    expect(err.message).toBe('key: is taken; name: must not be empty; body: must not be empty');
  });

  it('counts the name in characters, an emoji being one', () => {
    expect(checkTemplateDraft(draft({ name: '🌿'.repeat(100) })).name).toBe('🌿'.repeat(100));
    expect(errorOf(() => checkTemplateDraft(draft({ name: '🌿'.repeat(101) }))).details.fields).toEqual([
      { field: 'name', message: 'must be at most 100 characters' },
    ]);
  });

  it('checks length before variables', () => {
    const err = errorOf(() => checkTemplateDraft(draft({ body: `{otra}${'a'.repeat(4096)}` })));
    expect(err.code).toBe('validation_failed');
    expect(err.details.fields).toEqual([{ field: 'body', message: expect.stringContaining('4096') }]);
  });

  it('only lets custom templates declare variables, and only well-formed new ones', () => {
    expect(errorOf(() => checkTemplateDraft(draft({ category: 'reminder' }))).details.fields).toEqual([
      { field: 'customVariables', message: expect.stringContaining('custom category') },
    ]);
    const err = errorOf(() =>
      checkTemplateDraft(draft({ customVariables: ['codigo', 'Mal', 'fecha_cita'] })),
    );
    expect(err.details.fields).toEqual([
      { field: 'customVariables.1', message: expect.stringContaining('snake_case') },
      { field: 'customVariables.2', message: expect.stringContaining('built-in variable') },
    ]);
    const many = Array.from({ length: 21 }, (_, i) => `v${i}`);
    expect(errorOf(() => checkTemplateDraft(draft({ customVariables: many }))).details.fields).toEqual([
      { field: 'customVariables', message: 'at most 20 variables' },
    ]);
  });
});

describe('templateKeyProblems', () => {
  it('accepts snake_case keys up to 64 characters', () => {
    expect(templateKeyProblems('bono_2026')).toEqual([]);
    expect(templateKeyProblems('a'.repeat(64))).toEqual([]);
  });

  it.each(['', 'Bono', '2bono', 'bono-1', 'bono bienvenida', 'a'.repeat(65)])('rejects %j', (key) => {
    expect(templateKeyProblems(key)).toEqual([{ field: 'key', message: expect.any(String) }]);
  });
});
