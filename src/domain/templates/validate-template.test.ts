import { describe, expect, it } from 'vitest';

import { validateTemplate, WHATSAPP_TEXT_MAX_LENGTH } from './validate-template.js';

describe('validateTemplate', () => {
  it('accepts a body that only uses built-in variables', () => {
    expect(
      validateTemplate('Hola {nombre_cliente}, {fecha_cita} a las {hora_cita}', { category: 'reminder' }),
    ).toEqual({
      ok: true,
      variables: ['nombre_cliente', 'fecha_cita', 'hora_cita'],
      unknown: [],
      malformed: [],
      length: null,
    });
  });

  it('reports variables the category does not know', () => {
    const result = validateTemplate('Hola {nombre_cliente}, {codigo_descuento}', { category: 'follow_up' });
    expect(result.ok).toBe(false);
    expect(result.unknown).toEqual(['codigo_descuento']);
  });

  it("allows the advisor's declared variables in custom templates", () => {
    const rules = { category: 'custom', customVariables: ['codigo_descuento'] } as const;
    expect(validateTemplate('{nombre_cliente}: {codigo_descuento}', rules)).toMatchObject({
      ok: true,
      unknown: [],
    });
  });

  it('ignores declared variables outside custom templates, which the automation cannot fill', () => {
    const rules = { category: 'reminder', customVariables: ['codigo_descuento'] } as const;
    expect(validateTemplate('{codigo_descuento}', rules)).toMatchObject({
      ok: false,
      unknown: ['codigo_descuento'],
    });
  });

  it('reports malformed braces', () => {
    expect(validateTemplate('Hola {Nombre}', { category: 'custom' })).toMatchObject({
      ok: false,
      malformed: ['{Nombre}'],
    });
  });

  it.each(['', '   \n\t'])('rejects an empty body (%j)', (body) => {
    expect(validateTemplate(body, { category: 'custom' })).toMatchObject({ ok: false, length: 'empty' });
  });

  it('accepts a body of exactly the WhatsApp limit and rejects one more character', () => {
    const atLimit = 'a'.repeat(WHATSAPP_TEXT_MAX_LENGTH);
    expect(validateTemplate(atLimit, { category: 'custom' })).toMatchObject({ ok: true, length: null });
    expect(validateTemplate(`${atLimit}a`, { category: 'custom' })).toMatchObject({
      ok: false,
      length: 'too_long',
    });
  });

  it('counts an emoji as two characters, as UTF-16 does', () => {
    const body = '🙂'.repeat(WHATSAPP_TEXT_MAX_LENGTH / 2 + 1);
    expect(validateTemplate(body, { category: 'custom' }).length).toBe('too_long');
  });
});
