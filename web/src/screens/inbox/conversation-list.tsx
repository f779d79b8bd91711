import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Link } from '../../components/Link';
import { LoadMoreSentinel } from '../../components/LoadMoreSentinel';
import { LoadingState } from '../../components/LoadingState';
import { useI18n } from '../../i18n/i18n-context';
import type { Conversation } from '../../lib/api-types';
import { useDates } from '../../lib/advisor-zone';
import { initials } from '../../lib/format';
import { exchangedAt } from '../../lib/live-list';
import { displayPhone } from '../../lib/phone-input';
import type { PagedList } from '../../lib/use-paged-list';
import { messageSummary } from '../../lib/message-summary';

export function ConversationList({
  list,
  selected,
}: {
  list: PagedList<Conversation>;
  selected: string | null;
}) {
  const { t } = useI18n();
  const dates = useDates();
  if (list.error && list.items.length === 0) return <ErrorNotice error={list.error} onRetry={list.reload} />;
  if (list.loading && list.items.length === 0) return <LoadingState />;
  if (list.items.length === 0) {
    return (
      <EmptyState icon="inbox" title={t('inbox.empty')}>
        {t('inbox.emptyText')}
      </EmptyState>
    );
  }
  return (
    <>
      <ul className="conversations" aria-label={t('inbox.conversations')}>
        {list.items.map((c) => {
          const name = c.clientName ?? displayPhone(c.phone);
          return (
            <li key={c.phone}>
              <Link
                href={`/inbox/${encodeURIComponent(c.phone)}`}
                className={`conversation${c.phone === selected ? ' active' : ''}${c.unread ? ' unread' : ''}`}
                aria-current={c.phone === selected ? 'true' : undefined}
                data-testid="conversation"
                data-phone={c.phone}
              >
                <span className="avatar" aria-hidden="true">
                  {initials(c.clientName ?? '#')}
                </span>
                <span className="conversation-main">
                  <span className="conversation-top">
                    <span className="conversation-name" dir="auto">
                      {name}
                    </span>
                    {/* When it was exchanged, as the list is ordered and the chat dates it: a
                        reminder booked days ago and sent now is today's, not its booking day's. */}
                    <span className="conversation-time">
                      {c.lastMessage ? dates.short(exchangedAt(c.lastMessage)) : ''}
                    </span>
                  </span>
                  <span className="conversation-bottom">
                    <span className="conversation-last" dir="auto">
                      {c.lastMessage ? messageSummary(c.lastMessage, t) : ''}
                    </span>
                    {c.optedOut && (
                      <span className="badge badge-warn badge-small">{t('inbox.optedOut')}</span>
                    )}
                    {c.unread > 0 && (
                      <span className="unread-count" data-testid="unread-count">
                        {c.unread}
                        <span className="visually-hidden"> {t('inbox.unread')}</span>
                      </span>
                    )}
                  </span>
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
      {list.hasMore && (
        <LoadMoreSentinel
          onVisible={list.loadMore}
          loading={list.loading}
          count={list.items.length}
          error={list.error}
        />
      )}
    </>
  );
}
