import type { Translate } from '../i18n/i18n-context';
import type { Message } from './api-types';
import { templateLabel } from './template-label';

// Kinds with a name of their own; anything else that carries no text is a "file". `other` is a
// message the service does not read (its text, when it has one, says what was shared: a location,
// a contact, a poll); without a text, the advisor can only see it in WhatsApp itself.
const NAMED_TYPES = ['image', 'document', 'audio', 'video', 'sticker', 'other'] as const;

/**
 * What a message says in one line: its text, its caption, or the kind of file and its name; for
 * one its author deleted for everyone, that it was deleted (as the client's phone shows it).
 */
export function messageSummary(m: Message, t: Translate): string {
  if (m.deletedAt) return t('msg.deleted');
  if (m.text) return m.text;
  if (m.caption) return m.caption;
  if (m.type !== 'text') {
    const known = NAMED_TYPES.find((x) => x === m.type);
    const kind = known ? t(`msg.type.${known}`) : t('msg.file');
    return m.fileName ? `${kind} · ${m.fileName}` : kind;
  }
  if (m.templateKey) return templateLabel(m.templateKey, t);
  return '—';
}
