// Writing back to the client from the inbox, through the same send pipeline (POST /send).
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { LeaveGuardDialog } from '../../components/LeaveGuardDialog';
import { useI18n } from '../../i18n/i18n-context';
import { api } from '../../lib/api-client';
import type { Message } from '../../lib/api-types';
import { useSendAttemptKey } from '../../lib/send-attempt-key';
import { useLeaveGuard } from '../../lib/use-leave-guard';

export function ReplyBox({
  phone,
  clientName,
  disabled,
  onSent,
}: {
  phone: string;
  clientName: string | null;
  disabled: boolean;
  onSent: (m: Message) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Pressing Send again after an answer that never came repeats that send, not a new reply.
  const attemptKey = useSendAttemptKey();
  // Another conversation, another screen or the tab closing would drop what is typed.
  const leaveGuard = useLeaveGuard(text.trim() !== '');

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      // The repeat of an unanswered reply is that same request, though the client's name may
      // have loaded since: what the advisor wrote decides.
      const { key, body } = attemptKey.request({ to: phone, text: text.trim() }, () => {
        const built: Record<string, unknown> = { to: phone, type: 'text', text: text.trim() };
        if (clientName) built.clientName = clientName;
        return built;
      });
      const result = await api.post<{ message: Message }>('/api/whatsapp/send', body, {
        headers: { 'Idempotency-Key': key },
      });
      attemptKey.settle();
      setText('');
      onSent(result.message);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="reply-box" onSubmit={send}>
      {error !== null && <ErrorNotice error={error} />}
      <div className="reply-row">
        <label htmlFor="reply-text" className="visually-hidden">
          {t('inbox.reply')}
        </label>
        <textarea
          id="reply-text"
          rows={2}
          dir="auto"
          value={text}
          disabled={disabled}
          placeholder={disabled ? t('inbox.optedOutNoReply') : t('inbox.replyPlaceholder')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            // Not the Enter that picks a word from an input method (Japanese, Chinese, Korean…):
            // isComposing, or keyCode 229 where a browser does not set it.
            const composing = e.nativeEvent.isComposing || e.keyCode === 229;
            if (e.key === 'Enter' && !e.shiftKey && !composing) {
              e.preventDefault();
              void send();
            }
          }}
          data-testid="reply-text"
        />
        <button type="submit" className="btn btn-primary" disabled={disabled || busy || !text.trim()}>
          <Icon name="send" size={18} />
          <span className="collapse-narrow">{busy ? t('common.working') : t('inbox.send')}</span>
        </button>
      </div>
      <LeaveGuardDialog
        guard={leaveGuard}
        title="leave.sendTitle"
        text="leave.replyText"
        confirm="leave.sendConfirm"
      />
    </form>
  );
}
