// The inbox: conversations with unread counts on one side, the open chat on the other (one at a
// time on a phone). New client messages arrive live and move their conversation to the top.
import { PageHeader } from '../../components/AppShell';
import { EmptyState } from '../../components/EmptyState';
import { useI18n } from '../../i18n/i18n-context';
import type { Conversation, InboundEvent, Message } from '../../lib/api-types';
import { withConversationRead } from '../../lib/inbox-unread';
import { useLiveEvent, useLiveResync } from '../../lib/live-events';
import { exchangedAt } from '../../lib/live-list';
import { laterOf } from '../../lib/message-merge';
import { usePagedList } from '../../lib/use-paged-list';
import { ChatView } from './chat-view';
import { ConversationList } from './conversation-list';

/** Never a conversation's last message (the server's rule too): not sent, and never will be. */
const NOT_EXCHANGED: ReadonlySet<string> = new Set(['scheduled', 'skipped', 'cancelled']);

/** Whether `m` is newer than `than` by when they were exchanged (as the server picks the last). */
const newerThan = (m: Message, than: Message) => Date.parse(exchangedAt(m)) >= Date.parse(exchangedAt(than));

/**
 * Whether our message `m` moves its conversation to the top of the list: a message newer than the
 * one it shows, or the one it shows now exchanged later than shown (queued, now sent). A receipt
 * (delivered, read) or a failure of the message it shows is no new activity: the server keeps the
 * conversation where it was, and so does the list (it used to go to the top).
 */
const movesUp = (m: Message, shown: Message | null) => {
  if (!shown) return true;
  if (shown.id !== m.id) return newerThan(m, shown);
  return Date.parse(exchangedAt(m)) > Date.parse(exchangedAt(shown));
};

/** A conversation as shown and as read again: a live event may have overtaken the read. */
function fresherConversation(shown: Conversation, fresh: Conversation): Conversation {
  const was = shown.lastMessage;
  const now = fresh.lastMessage;
  if (was && now && was.id !== now.id && !newerThan(now, was)) return shown;
  return { ...fresh, lastMessage: now && was?.id === now.id ? laterOf(was, now) : now };
}

export function InboxScreen({ phone }: { phone: string | null }) {
  const { t } = useI18n();
  // One row per client: a conversation moved to the top by a live message is not repeated by
  // the page that holds it further down.
  const list = usePagedList<Conversation>('/api/whatsapp/conversations', {}, { idOf: (c) => c.phone });
  const selected = list.items.find((c) => c.phone === phone) ?? null;

  const bump = (m: Message, inbound: boolean) => {
    const from = m.phone;
    if (!from) return;
    list.setItems((items) => {
      const current = items.find((c) => c.phone === from);
      const change = inbound ? ((m as InboundEvent).clientOptedOut ?? null) : null;
      const next: Conversation = {
        phone: from,
        clientName: current?.clientName ?? m.clientName,
        lastMessage: m,
        unread: (current?.unread ?? 0) + (inbound && m.phone !== phone ? 1 : 0),
        optedOut: change ?? current?.optedOut ?? false,
      };
      return [next, ...items.filter((c) => c.phone !== from)];
    });
  };
  useLiveEvent('inbound', (m) => bump(m, true));
  useLiveEvent('message', (m) => {
    // A client's edit into STOP opted them out: the badge follows, the conversation keeps its place.
    const change = m.clientOptedOut;
    if (change !== undefined && list.items.some((c) => c.phone === m.phone)) {
      list.setItems((items) => items.map((c) => (c.phone === m.phone ? { ...c, optedOut: change } : c)));
    }
    // A change to the message a conversation shows (an edit or a deletion made in WhatsApp, a
    // receipt): the conversation keeps its place and shows the message as it is now. A deleted
    // message's words must not stay on screen.
    if (list.items.some((c) => c.lastMessage?.id === m.id)) {
      list.setItems((items) =>
        items.map((c) => (c.lastMessage?.id === m.id ? { ...c, lastMessage: laterOf(c.lastMessage, m) } : c)),
      );
    }
    // A reminder sent now is newer than the messages of the day it was booked, by when it went out.
    // A conversation not listed (the advisor wrote to a new client from another tab, a booking's
    // confirmation went out) goes on top when its message is the newest activity: the server lists
    // it there, and the list showed it only after a reload. A receipt for an old message of one on
    // a page not loaded yet is older than the top conversation's and leaves it where it is.
    const listed = list.items.find((c) => c.phone === m.phone);
    if (
      m.direction === 'outbound' &&
      !NOT_EXCHANGED.has(m.status) &&
      (listed ? movesUp(m, listed.lastMessage) : movesUp(m, list.items[0]?.lastMessage ?? null))
    )
      bump(m, false);
  });

  // Marked read in another tab or on another device of the advisor (or by this one's open chat).
  useLiveEvent('conversation_read', (read) => list.setItems((items) => withConversationRead(items, read)));

  // A message published before the stream opened (or while it was down) was missed.
  useLiveResync(() => list.refresh({ prefer: fresherConversation }));

  const patch = (p: Partial<Conversation>) => {
    if (!phone) return;
    list.setItems((items) => items.map((c) => (c.phone === phone ? { ...c, ...p } : c)));
  };

  return (
    <>
      <PageHeader title={t('inbox.title')} intro={t('inbox.intro')} />
      <div className={`inbox${phone ? ' inbox-chat-open' : ''}`}>
        <div className="inbox-list card card-flush">
          <ConversationList list={list} selected={phone} />
        </div>
        <div className="inbox-chat card card-flush">
          {phone ? (
            <ChatView key={phone} phone={phone} conversation={selected} onChange={patch} />
          ) : (
            <EmptyState icon="inbox" title={t('inbox.pick')}>
              {t('inbox.pickText')}
            </EmptyState>
          )}
        </div>
      </div>
    </>
  );
}
