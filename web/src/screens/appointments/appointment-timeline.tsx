// What happened to each message of one appointment: planned, sent, skipped (and why),
// delivered, read, answered.
import type { MessageKey } from '../../i18n/es';
import { useI18n, type Translate } from '../../i18n/i18n-context';
import { messageErrorText } from '../../lib/error-text';
import type { Message } from '../../lib/api-types';
import { useDates } from '../../lib/advisor-zone';

export type AppointmentKind = 'confirmation' | 'reminder' | 'follow_up';

export function kindOf(m: Message): AppointmentKind | 'rescheduled' | 'other' {
  const key = `${m.kind ?? ''} ${m.purpose ?? ''} ${m.templateKey ?? ''}`;
  if (key.includes('confirmation')) return 'confirmation';
  if (key.includes('reminder')) return 'reminder';
  if (key.includes('rescheduled')) return 'rescheduled';
  if (key.includes('follow_up')) return 'follow_up';
  return 'other';
}

interface Step {
  key: MessageKey;
  at: string | null;
  tone: 'done' | 'planned' | 'bad' | 'muted';
  detail?: string;
}

function stepsOf(m: Message, replies: Message[], t: Translate): Step[] {
  const skipped = m.status === 'skipped' || Boolean(m.skippedReason);
  if (skipped)
    return [
      {
        key: 'appt.step.skipped',
        at: m.failedAt ?? m.scheduledAt,
        tone: 'muted',
        detail: m.skippedReason ?? (m.error ? messageErrorText(m.error, t, m.status) : undefined),
      },
    ];
  const steps: Step[] = [];
  if (m.status === 'scheduled' || m.status === 'queued')
    steps.push({ key: 'appt.step.planned', at: m.scheduledAt ?? m.createdAt, tone: 'planned' });
  if (m.status === 'sending') steps.push({ key: 'appt.step.sending', at: null, tone: 'planned' });
  if (m.sentAt) steps.push({ key: 'appt.step.sent', at: m.sentAt, tone: 'done' });
  if (m.deliveredAt) steps.push({ key: 'appt.step.delivered', at: m.deliveredAt, tone: 'done' });
  if (m.readAt) steps.push({ key: 'appt.step.read', at: m.readAt, tone: 'done' });
  // A planned message the advisor sent by hand instead is not a cancellation of anything they see:
  // the message they sent is the next item.
  if (m.status === 'cancelled')
    steps.push({
      key: m.error?.code === 'replaced_by_manual_send' ? 'appt.step.replaced' : 'appt.step.cancelled',
      at: m.failedAt,
      tone: 'muted',
    });
  if (m.status === 'failed')
    steps.push({
      key: 'appt.step.failed',
      at: m.failedAt,
      tone: 'bad',
      detail: m.error ? messageErrorText(m.error, t, m.status) : undefined,
    });
  // The server links a reply to the one message it answers (the quoted one, else the last sent):
  // listed under that message only, not under every message sent before it.
  const reply = m.repliedAt ? replies.find((r) => r.createdAt === m.repliedAt) : undefined;
  if (reply && m.sentAt)
    steps.push({
      key: 'appt.step.answered',
      at: reply.createdAt,
      tone: 'done',
      detail: reply.text ?? undefined,
    });
  return steps;
}

export function AppointmentTimeline({
  messages,
  onSendNow,
  busyKind,
}: {
  messages: Message[];
  onSendNow: (kind: AppointmentKind) => void;
  busyKind: string | null;
}) {
  const { t } = useI18n();
  const dates = useDates();
  const outbound = messages
    .filter((m) => m.direction === 'outbound')
    .sort((a, b) => (a.scheduledAt ?? a.createdAt).localeCompare(b.scheduledAt ?? b.createdAt));
  const replies = messages
    .filter((m) => m.direction === 'inbound')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (outbound.length === 0) return <p className="muted">{t('appt.noMessages')}</p>;
  return (
    <ol className="timeline">
      {outbound.map((m) => {
        const kind = kindOf(m);
        const planned = m.status === 'scheduled' || m.status === 'queued';
        return (
          <li key={m.id} className="timeline-item" data-testid="timeline-item" data-status={m.status}>
            <div className="timeline-head">
              <strong>{t(`appt.kind.${kind}`)}</strong>
              {planned && (kind === 'confirmation' || kind === 'reminder' || kind === 'follow_up') && (
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => onSendNow(kind)}
                  disabled={busyKind !== null}
                >
                  {busyKind === kind ? t('common.working') : t('appt.sendNow')}
                </button>
              )}
            </div>
            <ul className="timeline-steps">
              {stepsOf(m, replies, t).map((s) => (
                <li key={s.key} className={`step step-${s.tone}`}>
                  <span className="step-dot" aria-hidden="true" />
                  <span>
                    {t(s.key)}
                    {s.at && <span className="cell-sub"> · {dates.dateTime(s.at)}</span>}
                    {s.detail && (
                      <span className="step-detail">
                        {s.key === 'appt.step.answered' ? `“${s.detail}”` : s.detail}
                      </span>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}
