// One conversation: the messages as chat bubbles (oldest at the top), live updates, marking as
// read, the opt-out switch and the reply box.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { Link } from '../../components/Link';
import { EditedMark } from '../../components/EditedMark';
import { LinkedText } from '../../components/LinkedText';
import { LoadingState } from '../../components/LoadingState';
import { MessageTicks } from '../../components/MessageTicks';
import { Switch } from '../../components/Switch';
import { useI18n } from '../../i18n/i18n-context';
import { api, enc } from '../../lib/api-client';
import type { Conversation, Message } from '../../lib/api-types';
import { useDates } from '../../lib/advisor-zone';
import { useLiveEvent, useLiveResync } from '../../lib/live-events';
import { laterOf } from '../../lib/message-merge';
import { exchangedAt, upsertLive } from '../../lib/live-list';
import { displayPhone } from '../../lib/phone-input';
import { usePagedList } from '../../lib/use-paged-list';
import { messageSummary } from '../../lib/message-summary';
import { ReplyBox } from './reply-box';

interface ChatViewProps {
  phone: string;
  conversation: Conversation | null;
  onChange: (patch: Partial<Conversation>) => void;
}

export function ChatView({ phone, conversation, onChange }: ChatViewProps) {
  const { t } = useI18n();
  const dates = useDates();
  const list = usePagedList<Message>(`/api/whatsapp/conversations/${enc(phone)}/messages`, {});
  const [optBusy, setOptBusy] = useState(false);
  const [optError, setOptError] = useState<unknown>(null);
  const [confirmOptIn, setConfirmOptIn] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  // Kept here too, for a chat opened by link whose conversation is not in the loaded list.
  const [ownOptOut, setOwnOptOut] = useState<boolean | null>(null);
  const optedOut = ownOptOut ?? conversation?.optedOut ?? false;
  const setOptedOut = (value: boolean) => {
    setOwnOptOut(value);
    onChange({ optedOut: value });
  };
  const name = conversation?.clientName ?? displayPhone(phone);

  const markRead = () => {
    api.post(`/api/whatsapp/conversations/${enc(phone)}/read`, {}).then(
      () => onChange({ unread: 0 }),
      () => undefined,
    );
  };
  useEffect(markRead, [phone]);

  const upsert = (m: Message) => {
    if (m.phone !== phone) return;
    // Newest first by when it was exchanged, as the API pages it: a new message, or a scheduled
    // reminder now sent, lands at the bottom of the chat.
    list.setItems((items) =>
      upsertLive(items, m, { matches: () => true, complete: !list.hasMore, time: exchangedAt }),
    );
  };
  useLiveEvent('message', (m) => {
    upsert(m);
    // A client's edit into STOP opted them out.
    if (m.phone === phone && m.clientOptedOut !== undefined) setOptedOut(m.clientOptedOut);
  });
  useLiveEvent('inbound', (m) => {
    if (m.phone !== phone) return;
    upsert(m);
    if (m.clientOptedOut !== undefined) setOptedOut(m.clientOptedOut);
    markRead();
  });
  // An edit or a receipt published before the stream opened (or while it was down) was missed,
  // and so was a message the client wrote meanwhile: it is on screen once read again, so it is read.
  useLiveResync(() => {
    list.refresh({ prefer: laterOf });
    markRead();
  });

  // Newest first from the API; a chat reads oldest first.
  const messages = [...list.items].reverse();
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  const toggleOptOut = async () => {
    // Writing again to a client who asked not to be written to is asked first; stopping is not.
    if (optedOut) {
      setConfirmOptIn(true);
      return;
    }
    setOptBusy(true);
    setOptError(null);
    try {
      await api.put(`/api/whatsapp/clients/${enc(phone)}`, { optedOut: !optedOut });
      setOptedOut(!optedOut);
    } catch (err) {
      setOptError(err);
    } finally {
      setOptBusy(false);
    }
  };

  const optBackIn = async () => {
    await api.put(`/api/whatsapp/clients/${enc(phone)}`, { optedOut: false });
    setOptedOut(false);
  };

  let lastDay = '';
  return (
    <section className="chat" aria-label={t('inbox.chatWith', { name })}>
      <header className="chat-header">
        <Link href="/inbox" className="btn-icon chat-back" aria-label={t('inbox.back')}>
          <Icon name="back" />
        </Link>
        <div className="chat-title">
          <h2>{name}</h2>
          {conversation?.clientName && <p className="cell-sub">{displayPhone(phone)}</p>}
        </div>
        {optedOut && (
          <span className="badge badge-warn" data-testid="opted-out-badge">
            {t('inbox.optedOut')}
          </span>
        )}
        <Switch
          checked={optedOut}
          onChange={toggleOptOut}
          disabled={optBusy}
          label={t('inbox.optOutSwitch')}
          testId="opt-out-toggle"
        />
      </header>
      {optError !== null && <ErrorNotice error={optError} />}
      <ConfirmDialog
        open={confirmOptIn}
        title={t('inbox.optInTitle', { name })}
        confirmLabel={t('inbox.optInConfirm')}
        danger
        onConfirm={optBackIn}
        onClose={() => setConfirmOptIn(false)}
      >
        <p>{t('inbox.optInText', { name })}</p>
      </ConfirmDialog>
      <div
        className="chat-messages"
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
        aria-live="polite"
      >
        {list.hasMore && (
          <div className="load-more">
            {list.error && !list.loading ? (
              // The older messages did not come: say so, and ask again on Retry.
              <ErrorNotice error={list.error} onRetry={list.loadMore} />
            ) : (
              <button
                type="button"
                className="btn btn-ghost btn-small"
                onClick={list.loadMore}
                disabled={list.loading}
              >
                {t('inbox.older')}
              </button>
            )}
          </div>
        )}
        {list.error && list.items.length === 0 && <ErrorNotice error={list.error} onRetry={list.reload} />}
        {list.loading && list.items.length === 0 && <LoadingState />}
        {!list.loading && !list.error && messages.length === 0 && (
          <p className="muted center">{t('inbox.noMessages')}</p>
        )}
        {messages.map((m) => {
          // The time it was exchanged, as the chat is ordered: a reminder shows when it went out.
          const at = exchangedAt(m);
          const day = dates.date(at, { dateStyle: 'full' });
          const showDay = day !== lastDay;
          lastDay = day;
          return (
            <div key={m.id} className="chat-item">
              {showDay && <p className="chat-day">{day}</p>}
              <div
                className={`bubble ${m.direction === 'inbound' ? 'bubble-in' : 'bubble-out'}${m.deletedAt ? ' bubble-deleted' : ''}`}
                data-testid="chat-bubble"
                data-direction={m.direction}
                data-status={m.status}
              >
                {/* dir="auto": a message in Hebrew or Arabic reads right to left, its punctuation too. */}
                <p className="bubble-text" dir="auto">
                  {m.deletedAt ? messageSummary(m, t) : <LinkedText text={messageSummary(m, t)} />}
                </p>
                <span className="bubble-meta">
                  <EditedMark message={m} className="bubble-edited" />
                  {dates.time(at)}
                  {m.direction === 'outbound' && <MessageTicks status={m.status} />}
                </span>
              </div>
            </div>
          );
        })}
      </div>
      {optedOut && <p className="chat-note">{t('inbox.optedOutNote')}</p>}
      <ReplyBox
        phone={phone}
        clientName={conversation?.clientName ?? null}
        disabled={optedOut}
        onSent={upsert}
      />
    </section>
  );
}
