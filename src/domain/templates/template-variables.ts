import type { TemplateCategory } from './template-category.js';

/** Variables every template may use; the appointment automation knows how to fill each one. */
export const BUILTIN_VARIABLE_NAMES = [
  'nombre_cliente',
  'fecha_cita',
  'hora_cita',
  'nombre_asesor',
  'direccion',
  'mensaje_personalizado',
] as const;

export type BuiltinVariableName = (typeof BUILTIN_VARIABLE_NAMES)[number];

/**
 * Only `custom` templates may use the advisor's own variables: the other categories are sent by
 * the appointment automation, which can fill nothing but the built-in ones.
 */
export function allowedVariablesFor(
  category: TemplateCategory,
  customVariables: readonly string[] = [],
): ReadonlySet<string> {
  return new Set<string>(
    category === 'custom' ? [...BUILTIN_VARIABLE_NAMES, ...customVariables] : BUILTIN_VARIABLE_NAMES,
  );
}
