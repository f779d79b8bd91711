// The message just sent (or scheduled), whose ticks keep moving as status events arrive. It takes
// the focus and scrolls into view when it appears: the form is long on a phone, and an advisor who
// sees no answer below the button presses it again (the QA round saw a template sent twice).
// Its first line tells the message's outcome as it stands: "enviado" only once WhatsApp has it.
// It said so for every status it did not name, so a message skipped (the client opted out before
// it went out) or cancelled read as sent, with the reason below saying otherwise.
import { useEffect, useRef, useState } from 'react';
import { Link } from '../../components/Link';
import { MessageTicks } from '../../components/MessageTicks';
import { useI18n } from '../../i18n/i18n-context';
import type { Message, StatusEvent } from '../../lib/api-types';
import { messageErrorText } from '../../lib/error-text';
import { useDates } from '../../lib/advisor-zone';
import { api, enc } from '../../lib/api-client';
import { useLiveEvent, useLiveResync } from '../../lib/live-events';
import { laterOf } from '../../lib/message-merge';
import { displayPhone } from '../../lib/phone-input';

type LinkState = Pick<StatusEvent, 'status' | 'alert'>;

export function SentResult({
  message,
  connection,
  onDismiss,
}: {
  message: Message;
  /** The WhatsApp link as the screen read it (null while unknown): a queued message waits for it. */
  connection: LinkState | null;
  onDismiss: () => void;
}) {
  const { t } = useI18n();
  const dates = useDates();
  const [current, setCurrent] = useState(message);
  if (current.id !== message.id) setCurrent(message);
  useLiveEvent('message', (m) => {
    if (m.id === current.id) setCurrent(m);
  });
  const [liveLink, setLiveLink] = useState<LinkState | null>(null);
  useLiveEvent('status', (event) =>
    setLiveLink((prev) => ({
      status: event.status,
      // An event without `alert` leaves it as it was; null clears it.
      alert: event.alert !== undefined ? event.alert : ((prev ?? connection)?.alert ?? null),
    })),
  );
  const link = liveLink ?? connection;
  const phone = displayPhone(current.phone);
  const outcome = (): string => {
    switch (current.status) {
      case 'failed':
        return t('send.failedFor', { phone });
      case 'skipped':
        return t('send.skippedFor', { phone });
      case 'cancelled':
        return t('send.cancelledFor', { phone });
      case 'scheduled':
        return t('send.scheduledFor', { phone, when: dates.dateTime(current.scheduledAt) });
      case 'queued':
        // Queued while the number is linked and sending is on, it goes out in a moment.
        if (link && link.status !== 'connected') return t('send.queuedFor', { phone });
        if (link?.alert === 'sending_paused') return t('send.queuedPaused', { phone });
        return t('send.sendingTo', { phone });
      case 'sending':
        return t('send.sendingTo', { phone });
      default:
        return t('send.sentTo', { phone });
    }
  };
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
      <p>{outcome()}</p>
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
