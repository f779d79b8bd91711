// Every message sent and received, newest first, with filters and infinite scroll. Ticks move
// live from the `message` events; failed messages say why and can be retried.
import { useState } from 'react';
import { PageHeader } from '../../components/AppShell';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { LoadMoreSentinel } from '../../components/LoadMoreSentinel';
import { LoadingState } from '../../components/LoadingState';
import { useI18n } from '../../i18n/i18n-context';
import type { Message, MessageDirection, MessageStatus, WhatsappConfig } from '../../lib/api-types';
import { useLiveEvent, useLiveResync } from '../../lib/live-events';
import { upsertLive } from '../../lib/live-list';
import { laterOf } from '../../lib/message-merge';
import { callingCodePrefix, historyPhoneFilter } from '../../lib/phone-input';
import { useDebounced } from '../../lib/use-debounced';
import { usePagedList } from '../../lib/use-paged-list';
import { useResource } from '../../lib/use-resource';
import { MessageRow } from './message-row';

const STATUSES: MessageStatus[] = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped',
  'cancelled',
  'received',
];

export function MessagesScreen() {
  const { t } = useI18n();
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const [direction, setDirection] = useState<MessageDirection | ''>('');
  const [phone, setPhone] = useState('');
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const defaultCountry = config.data?.settings.defaultCountry ?? 'ES';
  const phoneQuery = useDebounced(historyPhoneFilter(phone, defaultCountry), 400);
  // Fewer than 3 digits would be refused (400): no phone filter until there are enough.
  const phoneDigits = phoneQuery.replace(/\D/g, '');
  const phoneParam = phoneDigits.length >= 3 ? phoneQuery : '';
  // Something typed that filters nothing (a name, two digits): say so instead of a list that
  // silently stays whole.
  const phoneIgnored =
    phone.trim() !== '' && historyPhoneFilter(phone, defaultCountry).replace(/\D/g, '').length < 3;
  const list = usePagedList<Message>('/api/whatsapp/messages', { status, direction, phone: phoneParam });

  // What the server's filters let in: status and direction as they are, the phone by its digits
  // (a whole number's digits are contained only in that number).
  // The server looks for digits without their leading zeros (a national number's trunk 0, as in
  // 07911 …, is in no stored +44 7911 …) unless fewer than 3 would be left: with the zeros, every
  // live update took its row off the list and a new message to that client never showed.
  const significant = phoneDigits.replace(/^0+/, '');
  const searched = significant.length >= 3 ? significant : phoneDigits;
  const matches = (m: Message) =>
    (!status || m.status === status) &&
    (!direction || m.direction === direction) &&
    (!phoneParam || (m.phone ?? '').includes(searched));
  const upsert = (incoming: Message) =>
    list.setItems((items) => upsertLive(items, incoming, { matches, complete: !list.hasMore }));
  useLiveEvent('message', upsert);
  useLiveEvent('inbound', upsert);
  // What was published before the stream opened (or while it was down) was missed.
  useLiveResync(() => list.refresh({ prefer: laterOf }));

  const filtered = Boolean(status || direction || phoneParam);
  return (
    <>
      <PageHeader title={t('msg.title')} intro={t('msg.intro')} />
      <form
        className="filters"
        role="search"
        aria-label={t('msg.filters')}
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label={t('msg.status')}>
          {(ids) => (
            <select {...ids} value={status} onChange={(e) => setStatus(e.target.value as MessageStatus | '')}>
              <option value="">{t('msg.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`msgStatus.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('msg.direction')}>
          {(ids) => (
            <select
              {...ids}
              value={direction}
              onChange={(e) => setDirection(e.target.value as MessageDirection | '')}
            >
              <option value="">{t('msg.all')}</option>
              <option value="outbound">{t('msg.outbound')}</option>
              <option value="inbound">{t('msg.inbound')}</option>
            </select>
          )}
        </Field>
        <Field label={t('msg.phone')} hint={phoneIgnored ? t('msg.phoneNeedsDigits') : undefined}>
          {(ids) => (
            <input
              {...ids}
              type="search"
              inputMode="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              placeholder={callingCodePrefix(defaultCountry) ?? undefined}
            />
          )}
        </Field>
      </form>

      {list.error && list.items.length === 0 ? (
        <ErrorNotice error={list.error} onRetry={list.reload} />
      ) : list.loading && list.items.length === 0 ? (
        <LoadingState />
      ) : list.items.length === 0 ? (
        <EmptyState icon="list" title={filtered ? t('msg.emptyFiltered') : t('msg.empty')}>
          {filtered ? (
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={() => {
                setStatus('');
                setDirection('');
                setPhone('');
              }}
            >
              {t('msg.clearFilters')}
            </button>
          ) : (
            t('msg.emptyText')
          )}
        </EmptyState>
      ) : (
        <div className="card card-flush">
          <table className="table table-cards messages-table">
            <thead>
              <tr>
                <th scope="col">{t('msg.when')}</th>
                <th scope="col">{t('msg.client')}</th>
                <th scope="col">{t('msg.message')}</th>
                <th scope="col">{t('msg.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <MessageRow key={m.id} message={m} onUpdated={upsert} />
              ))}
            </tbody>
          </table>
          {list.hasMore ? (
            <LoadMoreSentinel
              onVisible={list.loadMore}
              loading={list.loading}
              count={list.items.length}
              error={list.error}
            />
          ) : (
            list.error && <ErrorNotice error={list.error} onRetry={list.reload} />
          )}
        </div>
      )}
    </>
  );
}
