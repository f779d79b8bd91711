import type { MessageKey } from '../i18n/es';
import type { Translate } from '../i18n/i18n-context';

const BUILT_IN: Record<string, MessageKey> = {
  appointment_confirmation: 'tplKey.appointment_confirmation',
  appointment_reminder: 'tplKey.appointment_reminder',
  appointment_rescheduled: 'tplKey.appointment_rescheduled',
  follow_up: 'tplKey.follow_up',
  custom: 'tplKey.custom',
};

/** A template key in words: the built-ins by name, the advisor's own from their snake_case key. */
export function templateLabel(key: string, t: Translate): string {
  const known = BUILT_IN[key];
  if (known) return t(known);
  const words = key.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
