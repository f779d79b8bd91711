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
 * Built-in variables the appointment automation never has a value for when it sends the built-in
 * template `key` (or an advisor's override of it): a personal message exists only for the
 * follow-up. An override using one would fail every automated message it is used for.
 */
export function unfillableByAutomation(key: string | null | undefined): readonly string[] {
  return key === 'appointment_confirmation' ||
    key === 'appointment_reminder' ||
    key === 'appointment_rescheduled'
    ? ['mensaje_personalizado']
    : [];
}

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
