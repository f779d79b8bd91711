// The message just sent (or scheduled), whose ticks keep moving as status events arrive. It takes
// the focus and scrolls into view when it appears: the form is long on a phone, and an advisor who
// sees no answer below the button presses it again (the QA round saw a template sent twice).
import { useEffect, useRef, useState } from 'react';
import { Link } from '../../components/Link';
import { MessageTicks } from '../../components/MessageTicks';
import { useI18n } from '../../i18n/i18n-context';
import type { Message } from '../../lib/api-types';
import { messageErrorText } from '../../lib/error-text';
import { useDates } from '../../lib/advisor-zone';
import { api, enc } from '../../lib/api-client';
import { useLiveEvent, useLiveResync } from '../../lib/live-events';
import { laterOf } from '../../lib/message-merge';
import { displayPhone } from '../../lib/phone-input';

export function SentResult({ message, onDismiss }: { message: Message; onDismiss: () => void }) {
  const { t } = useI18n();
  const dates = useDates();
  const [current, setCurrent] = useState(message);
  if (current.id !== message.id) setCurrent(message);
  useLiveEvent('message', (m) => {
    if (m.id === current.id) setCurrent(m);
  });
  // A receipt published before the stream opened (or while it was down) was missed.
  useLiveResync(() => {
    api.get<Message>(`/api/whatsapp/messages/${enc(current.id)}`).then(
      (fresh) => setCurrent((shown) => (shown.id === fresh.id ? laterOf(shown, fresh) : shown)),
      () => undefined,
    );
  });
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    box.current?.focus({ preventScroll: true });
    box.current?.scrollIntoView({ block: 'start' });
  }, [message.id]);
  return (
    <section
      ref={box}
      tabIndex={-1}
      className="card card-highlight sent-result"
      aria-live="polite"
      data-testid="sent-result"
    >
      <p>
        {current.status === 'failed'
          ? t('send.failedFor', { phone: displayPhone(current.phone) })
          : current.status === 'scheduled'
            ? t('send.scheduledFor', {
                phone: displayPhone(current.phone),
                when: dates.dateTime(current.scheduledAt),
              })
            : current.status === 'queued'
              ? t('send.queuedFor', { phone: displayPhone(current.phone) })
              : t('send.sentTo', { phone: displayPhone(current.phone) })}
      </p>
      <MessageTicks status={current.status} withLabel />
      {current.error && <p className="field-error">{messageErrorText(current.error, t, current.status)}</p>}
      <div className="card-actions">
        <Link href="/messages" className="btn btn-ghost btn-small">
          {t('send.seeHistory')}
        </Link>
        <button type="button" className="btn btn-ghost btn-small" onClick={onDismiss}>
          {t('common.close')}
        </button>
      </div>
    </section>
  );
}
