// "Edited", on a message its author edited in WhatsApp, with when in its tooltip. Nothing for a
// message never edited, or since deleted (that one says "deleted" in place of its words).
import { useI18n } from '../i18n/i18n-context';
import type { Message } from '../lib/api-types';
import { useDates } from '../lib/advisor-zone';

export function EditedMark({ message, className }: { message: Message; className: string }) {
  const { t } = useI18n();
  const dates = useDates();
  if (!message.editedAt || message.deletedAt) return null;
  return (
    <span
      className={className}
      data-testid="message-edited"
      title={t('msg.editedAt', { when: dates.dateTime(message.editedAt) })}
    >
      {t('msg.edited')}
    </span>
  );
}
