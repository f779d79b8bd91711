// WhatsApp-style delivery marks: ✓ sent, ✓✓ delivered, blue ✓✓ read; a clock while waiting and a
// warning when it failed. The label is spoken, the marks are decoration.
import type { MessageStatus } from '../lib/api-types';
import { useI18n } from '../i18n/i18n-context';
import { Icon } from './Icon';

const WAITING = new Set<MessageStatus>(['scheduled', 'queued', 'sending']);

const MARKS: Record<MessageStatus, string> = {
  scheduled: '',
  queued: '',
  sending: '',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
  received: '',
  skipped: '–',
  cancelled: '–',
};

export function MessageTicks({ status, withLabel = false }: { status: MessageStatus; withLabel?: boolean }) {
  const { t } = useI18n();
  const label = t(`msgStatus.${status}`);
  return (
    <span className={`ticks ticks-${status}`} data-status={status} title={label}>
      <span className="ticks-marks" aria-hidden="true">
        {WAITING.has(status) ? <Icon name="clock" size={14} /> : (MARKS[status] ?? '')}
      </span>
      {withLabel ? (
        <span className="ticks-label">{label}</span>
      ) : (
        <span className="visually-hidden">{label}</span>
      )}
    </span>
  );
}
