// Upcoming appointments from the booking module, each with the story of its messages, and
// buttons to send the reminder now or a follow-up with a personal note.
import { useState } from 'react';
import { PageHeader } from '../../components/AppShell';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { LoadMoreSentinel } from '../../components/LoadMoreSentinel';
import { LoadingState } from '../../components/LoadingState';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { api, ApiError, enc } from '../../lib/api-client';
import type { Appointment, Message } from '../../lib/api-types';
import { useDates } from '../../lib/advisor-zone';
import { dayIn, localInputToIso } from '../../lib/format';
import { useLiveEvent, useLiveResync } from '../../lib/live-events';
import { laterOf } from '../../lib/message-merge';
import { displayPhone } from '../../lib/phone-input';
import { useSendAttemptKey } from '../../lib/send-attempt-key';
import { serverNow } from '../../lib/server-clock';
import { usePagedList } from '../../lib/use-paged-list';
import { AppointmentTimeline, type AppointmentKind } from './appointment-timeline';

export function AppointmentsScreen() {
  const { t } = useI18n();
  const dates = useDates();
  const toast = useToast();
  // From today where the advisor is (their zone, not UTC: in Mexico after 6 p.m. UTC is already
  // tomorrow and hid the evening's appointments), until they pick another day. Today by the
  // server's clock: a computer a few hours fast, late in the evening, is already in tomorrow and
  // hid the appointments still to come that evening.
  const [picked, setPicked] = useState<string | null>(null);
  const now = new Date(serverNow());
  const from = picked ?? dayIn(now, dates.timeZone);
  const fromIso = localInputToIso(`${from}T00:00`, dates.timeZone) ?? now.toISOString();
  const list = usePagedList<Appointment>(
    '/api/appointments',
    { from: fromIso },
    { idOf: (a) => a.externalId },
  );
  const [busy, setBusy] = useState<{ id: string; kind: string } | null>(null);
  // `cancelled`: the server refused because the appointment was cancelled meanwhile.
  const [error, setError] = useState<{ id: string; error: unknown; cancelled?: boolean } | null>(null);
  const [followUp, setFollowUp] = useState<Appointment | null>(null);
  // The personal note written for each appointment's follow-up, kept when its dialog is closed
  // unsent: one note for all of them offered a client what was written to another.
  const [notes, setNotes] = useState<Record<string, string>>({});
  const note = followUp ? (notes[followUp.externalId] ?? '') : '';
  const setNote = (externalId: string, text: string) => setNotes((n) => ({ ...n, [externalId]: text }));

  const patchMessage = (m: Message) =>
    list.setItems((items) =>
      items.map((a) => {
        if (a.messages?.some((x) => x.id === m.id)) {
          return { ...a, messages: a.messages.map((x) => (x.id === m.id ? m : x)) };
        }
        // A message planned for it since it was read (a reschedule's new reminder, a send by hand):
        // until 2026-12-06 it only showed after a reload.
        if (m.appointmentId && a.id === m.appointmentId)
          return { ...a, messages: [...(a.messages ?? []), m] };
        return a;
      }),
    );
  useLiveEvent('message', patchMessage);
  const refresh = () =>
    list.refresh({
      prefer: (shown, fresh) => ({
        ...fresh,
        messages: fresh.messages?.map((m) =>
          laterOf(
            shown.messages?.find((x) => x.id === m.id),
            m,
          ),
        ),
      }),
    });
  // Booked, moved, cancelled (by the booking module, another tab) or answered by the client: the
  // screen heard none of it until 2026-12-06 and showed the appointment as it was at load. The
  // event carries the appointment without its messages (those come as `message` events): one
  // shown is updated in place; a new one is read with the first page again.
  useLiveEvent('appointment', (changed) => {
    if (list.items.some((a) => a.externalId === changed.externalId)) {
      list.setItems((items) =>
        items.map((a) =>
          a.externalId === changed.externalId ? { ...a, ...changed, messages: a.messages } : a,
        ),
      );
    } else {
      refresh();
    }
  });
  // A status published before the stream opened (or while it was down) was missed.
  useLiveResync(refresh);

  const attemptKey = useSendAttemptKey();
  const send = async (a: Appointment, kind: AppointmentKind, message?: string) => {
    setBusy({ id: a.externalId, kind });
    setError(null);
    try {
      const body = message ? { kind, message } : { kind };
      // Pressing again after an answer that never came repeats that send (the same key), not a
      // second message to the client.
      await api.post(`/api/appointments/${enc(a.externalId)}/send`, body, {
        headers: { 'Idempotency-Key': attemptKey.for({ appointment: a.externalId, ...body }) },
      });
      attemptKey.settle();
      toast(t('appt.sent'));
      list.reload();
      return true;
    } catch (err) {
      // A state_conflict's sentence is the server's English: look at the appointment to say why.
      const fresh =
        err instanceof ApiError && err.code === 'state_conflict'
          ? await api.get<{ appointment: Appointment }>(`/api/appointments/${enc(a.externalId)}`).then(
              (d) => d.appointment,
              () => null,
            )
          : null;
      if (fresh)
        list.setItems((items) =>
          items.map((x) => (x.externalId === a.externalId ? { ...x, status: fresh.status } : x)),
        );
      setError({ id: a.externalId, error: err, cancelled: fresh?.status === 'cancelled' });
      return false;
    } finally {
      setBusy(null);
    }
  };

  const statusLabel = (status: string) => (status === 'cancelled' ? t('appt.status.cancelled') : status);

  return (
    <>
      <PageHeader title={t('appt.title')} intro={t('appt.intro')} />
      <div className="filters">
        <Field label={t('appt.from')}>
          {(ids) => (
            <input {...ids} type="date" value={from} onChange={(e) => setPicked(e.target.value || null)} />
          )}
        </Field>
      </div>
      {list.error && list.items.length === 0 ? (
        <ErrorNotice error={list.error} onRetry={list.reload} />
      ) : list.loading && list.items.length === 0 ? (
        <LoadingState />
      ) : list.items.length === 0 ? (
        <EmptyState icon="calendar" title={t('appt.empty')}>
          {t('appt.emptyText')}
        </EmptyState>
      ) : (
        <ul className="appointments">
          {list.items.map((a) => (
            <li key={a.externalId} className="card appointment" data-testid="appointment">
              <div className="appointment-when">
                <span className="appointment-day">
                  {dates.date(a.startsAt, { weekday: 'short', day: 'numeric', month: 'short' })}
                </span>
                <span className="appointment-time">{dates.time(a.startsAt)}</span>
              </div>
              <div className="appointment-main">
                <h2>{a.clientName}</h2>
                <p className="cell-sub">
                  {displayPhone(a.clientPhone)}
                  {a.address ? ` · ${a.address}` : ''}
                  {a.status && a.status !== 'scheduled' ? ` · ${statusLabel(a.status)}` : ''}
                </p>
                {a.status !== 'cancelled' &&
                  (a.clientResponse === 'confirmed' || a.clientResponse === 'cancel_requested') && (
                    // What the client's "1" or "2" meant, in words: the timeline shows only the digit.
                    <p
                      className={`appointment-response appointment-response-${a.clientResponse}`}
                      data-testid="client-response"
                    >
                      {t(`appt.response.${a.clientResponse}`)}
                    </p>
                  )}
                <AppointmentTimeline
                  messages={a.messages ?? []}
                  onSendNow={(kind) => void send(a, kind)}
                  busyKind={busy?.id === a.externalId ? busy.kind : null}
                />
                {error?.id === a.externalId && (
                  <ErrorNotice
                    error={error.error}
                    text={error.cancelled ? t('appt.isCancelled') : undefined}
                  />
                )}
                {a.status !== 'cancelled' && (
                  <div className="card-actions">
                    <button type="button" className="btn btn-ghost btn-small" onClick={() => setFollowUp(a)}>
                      {t('appt.followUp')}
                    </button>
                  </div>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {list.hasMore && (
        <LoadMoreSentinel
          onVisible={list.loadMore}
          loading={list.loading}
          count={list.items.length}
          error={list.error}
        />
      )}

      <Dialog
        open={followUp !== null}
        title={t('appt.followUpTitle', { name: followUp?.clientName ?? '' })}
        onClose={() => setFollowUp(null)}
        footer={
          <>
            <button type="button" className="btn btn-ghost" onClick={() => setFollowUp(null)}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy !== null || !note.trim()}
              onClick={async () => {
                if (followUp && (await send(followUp, 'follow_up', note.trim()))) {
                  setFollowUp(null);
                  setNote(followUp.externalId, '');
                }
              }}
            >
              {busy ? t('common.working') : t('appt.followUpSend')}
            </button>
          </>
        }
      >
        <Field label={t('appt.personalMessage')} hint={t('appt.personalHint')}>
          {(ids) => (
            <textarea
              {...ids}
              rows={4}
              value={note}
              onChange={(e) => followUp && setNote(followUp.externalId, e.target.value)}
              data-autofocus
            />
          )}
        </Field>
        {followUp && error?.id === followUp.externalId && (
          <ErrorNotice error={error.error} text={error.cancelled ? t('appt.isCancelled') : undefined} />
        )}
      </Dialog>
    </>
  );
}
