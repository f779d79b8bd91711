import { describe, expect, it } from 'vitest';

import { isVariableName, parseTemplate, renderTemplate } from './template-syntax.js';

describe('parseTemplate', () => {
  it('lists variables once each, in order of first appearance', () => {
    expect(parseTemplate('{fecha_cita} {nombre_cliente} {fecha_cita} {hora_cita2}')).toEqual({
      variables: ['fecha_cita', 'nombre_cliente', 'hora_cita2'],
      malformed: [],
    });
  });

  it('reads doubled braces as literal braces, not as variables', () => {
    expect(parseTemplate('Usa {{codigo}} y }} y {{')).toEqual({ variables: [], malformed: [] });
  });

  it('finds a variable wrapped in literal braces', () => {
    expect(parseTemplate('{{{nombre_cliente}}}').variables).toEqual(['nombre_cliente']);
  });

  it.each([
    ['uppercase letter', 'Hola {Nombre}', ['{Nombre}']],
    ['spaces inside', 'Hola { nombre }', ['{ nombre }']],
    ['empty braces', 'Hola {}', ['{}']],
    ['leading digit', '{1nombre}', ['{1nombre}']],
    ['leading underscore', '{_nombre}', ['{_nombre}']],
    ['a dash', '{nombre-cliente}', ['{nombre-cliente}']],
    ['accented letter', '{dirección}', ['{dirección}']],
    ['unclosed at the end', 'Hola {abc', ['{abc']],
    ['stray closing brace', 'Hola abc}', ['}']],
    ['closing brace after a variable', '{nombre}}', ['}']],
  ])('reports %s as malformed', (_case, body, malformed) => {
    expect(parseTemplate(body).malformed).toEqual(malformed);
  });

  it('does not let an unclosed brace swallow the next variable', () => {
    expect(parseTemplate('Hola {nombre, tu cita es {fecha_cita}')).toEqual({
      variables: ['fecha_cita'],
      malformed: ['{nombre,'],
    });
  });

  it('does not let a placeholder span lines', () => {
    expect(parseTemplate('Hola {nombre\n}')).toEqual({ variables: [], malformed: ['{nombre', '}'] });
  });

  it('lists each malformed sequence once', () => {
    expect(parseTemplate('{X} y {X}').malformed).toEqual(['{X}']);
  });
});

describe('isVariableName', () => {
  it.each(['a', 'nombre_cliente', 'x1_2'])('accepts %s', (name) => expect(isVariableName(name)).toBe(true));
  it.each(['', 'Nombre', '1a', '_a', 'a-b', 'a b', 'ñandu'])('rejects "%s"', (name) =>
    expect(isVariableName(name)).toBe(false),
  );
});

describe('renderTemplate', () => {
  it('fills every occurrence of a variable', () => {
    expect(renderTemplate('{nombre}, sí, {nombre}', { nombre: 'Ana' })).toEqual({
      text: 'Ana, sí, Ana',
      missing: [],
    });
  });

  it('turns doubled braces into single ones', () => {
    expect(renderTemplate('{{nombre}} es {nombre} }}', { nombre: 'Ana' }).text).toBe('{nombre} es Ana }');
  });

  it('keeps missing variables visible and lists them once, in order', () => {
    expect(renderTemplate('{hora_cita} {nombre} {hora_cita} {fecha_cita}', { nombre: 'Ana' })).toEqual({
      text: '{hora_cita} Ana {hora_cita} {fecha_cita}',
      missing: ['hora_cita', 'fecha_cita'],
    });
  });

  it('treats blank and undefined values as missing', () => {
    expect(renderTemplate('{a}|{b}|{c}', { a: '  ', b: undefined, c: '' }).missing).toEqual(['a', 'b', 'c']);
  });

  it('inserts values literally, never expanding a variable inside a value', () => {
    const rendered = renderTemplate('Hola {nombre} {fecha}', { nombre: '{fecha} {{x}}', fecha: 'mañana' });
    expect(rendered).toEqual({ text: 'Hola {fecha} {{x}} mañana', missing: [] });
  });

  it('keeps malformed sequences as written', () => {
    expect(renderTemplate('Hola {Nombre} {abc', {}).text).toBe('Hola {Nombre} {abc');
  });

  it('ignores inherited properties of the values object', () => {
    expect(renderTemplate('{constructor}', {})).toEqual({ text: '{constructor}', missing: ['constructor'] });
    const inherited = Object.create({ nombre: 'Ana' }) as Record<string, string>;
    expect(renderTemplate('{nombre}', inherited)).toEqual({ text: '{nombre}', missing: ['nombre'] });
  });

  it('keeps emoji and line breaks around variables intact', () => {
    expect(renderTemplate('📅 {fecha}\n🕐 {hora}', { fecha: 'hoy', hora: '9:30' }).text).toBe(
      '📅 hoy\n🕐 9:30',
    );
  });
});
