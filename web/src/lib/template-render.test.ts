import { describe, expect, it } from 'vitest';
import { renderDraft, variablesIn } from './template-render';

describe('renderDraft', () => {
  it('renders as the server does: escaped braces, values inserted literally', () => {
    expect(
      renderDraft('{{x}} {nombre_cliente} {fecha_cita}', { nombre_cliente: '{fecha_cita} $&' }, null),
    ).toEqual({
      text: '{x} {fecha_cita} $& {fecha_cita}',
      missing: ['fecha_cita'],
      unknown: [],
    });
  });

  it('has no value for a variable named like an object property ({constructor})', () => {
    // A custom variable may be called anything snake_case; the server ignores inherited
    // properties (template-syntax.ts). The editor used to throw while rendering the preview.
    expect(variablesIn('Hola {constructor}')).toEqual(['constructor']);
    expect(renderDraft('Hola {constructor}', {}, null)).toEqual({
      text: 'Hola {constructor}',
      missing: ['constructor'],
      unknown: [],
    });
  });
});
