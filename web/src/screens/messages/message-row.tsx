import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EditedMark } from '../../components/EditedMark';
import { ErrorNotice } from '../../components/ErrorNotice';
import { MessageTicks } from '../../components/MessageTicks';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { api, enc } from '../../lib/api-client';
import type { Message } from '../../lib/api-types';
import { messageErrorText } from '../../lib/error-text';
import { useDates } from '../../lib/advisor-zone';
import { displayPhone } from '../../lib/phone-input';
import { messageSummary } from '../../lib/message-summary';
import { templateLabel } from '../../lib/template-label';

export function MessageRow({ message: m, onUpdated }: { message: Message; onUpdated: (m: Message) => void }) {
  const { t } = useI18n();
  const dates = useDates();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const toast = useToast();
  // Still waiting to go out: the server cancels these and nothing else (a worker may hold a
  // `sending` one, and it may already be on its way).
  const cancellable = m.direction === 'outbound' && (m.status === 'scheduled' || m.status === 'queued');
  const cancelSend = async () => {
    const result = await api.post<{ message: Message }>(`/api/whatsapp/messages/${enc(m.id)}/cancel`, {});
    onUpdated(result.message);
    toast(t('msg.cancelled'));
  };
  const retry = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.post<Message | { message: Message }>(
        `/api/whatsapp/messages/${enc(m.id)}/retry`,
        {},
      );
      onUpdated('message' in result ? result.message : result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const when = m.status === 'scheduled' ? m.scheduledAt : (m.sentAt ?? m.createdAt);
  const tag = m.templateKey ? templateLabel(m.templateKey, t) : null;
  // A message with no text (a reminder skipped before it was written) is summed up by its
  // template's name, which the tag already says: said twice, it read "Recordatorio de
  // citaRecordatorio de cita".
  const summary = messageSummary(m, t);
  const showSummary = summary !== tag;
  return (
    <tr
      data-testid="message-row"
      data-id={m.id}
      data-status={m.status}
      className={m.direction === 'inbound' ? 'row-inbound' : undefined}
    >
      <td data-label={t('msg.when')}>
        <div>
          <span className="nowrap">{dates.dateTime(when)}</span>
          <span className="cell-sub">
            {m.direction === 'inbound' ? t('msg.inboundShort') : t(`msg.source.${sourceKey(m.source)}`)}
          </span>
        </div>
      </td>
      <td data-label={t('msg.client')}>
        <div>
          <span className="cell-main" dir="auto">
            {m.clientName ?? displayPhone(m.phone)}
          </span>
          {m.clientName && <span className="cell-sub nowrap">{displayPhone(m.phone)}</span>}
        </div>
      </td>
      <td data-label={t('msg.message')} className="cell-text">
        <div>
          {tag && <span className="chip chip-small chip-template">{tag}</span>}
          {showSummary && (
            <span className={m.deletedAt ? 'text-deleted' : undefined} dir="auto">
              {summary}
            </span>
          )}
          <EditedMark message={m} className="cell-sub" />
        </div>
      </td>
      <td data-label={t('msg.status')}>
        <div>
          <MessageTicks status={m.status} withLabel />
          {m.error && m.status !== 'failed' && (
            <span className="cell-sub">{messageErrorText(m.error, t, m.status)}</span>
          )}
          {cancellable && (
            <button
              type="button"
              className="btn btn-ghost btn-small"
              data-testid="cancel-send"
              onClick={() => setConfirmingCancel(true)}
            >
              {t('msg.cancelSend')}
            </button>
          )}
          <ConfirmDialog
            open={confirmingCancel}
            title={t('msg.cancelTitle')}
            confirmLabel={t('msg.cancelSend')}
            dismissLabel={t('msg.keep')}
            danger
            onClose={() => setConfirmingCancel(false)}
            onConfirm={cancelSend}
          >
            <p>{t('msg.cancelText', { client: m.clientName ?? displayPhone(m.phone) })}</p>
          </ConfirmDialog>
          {m.status === 'failed' && (
            <div className="failed-box">
              {m.error && <p className="cell-sub">{messageErrorText(m.error, t, m.status)}</p>}
              <button type="button" className="btn btn-secondary btn-small" onClick={retry} disabled={busy}>
                {busy ? t('common.working') : t('msg.retry')}
              </button>
              {error !== null && <ErrorNotice error={error} />}
            </div>
          )}
        </div>
      </td>
    </tr>
  );
}

function sourceKey(source: string): 'api' | 'dashboard' | 'automation' | 'phone' {
  return source === 'api' || source === 'dashboard' || source === 'automation' || source === 'phone'
    ? source
    : 'api';
}
