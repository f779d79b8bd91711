// Send one WhatsApp message: free text, a template with its variables, or a file with a caption;
// now or at a chosen time. The button is off while a send is on its way, and a press that repeats
// a send whose answer was lost carries the same Idempotency-Key, so neither sends twice.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/AppShell';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LeaveGuardDialog } from '../../components/LeaveGuardDialog';
import { Field } from '../../components/Field';
import type { MessageKey } from '../../i18n/es';
import { useI18n } from '../../i18n/i18n-context';
import { api, ApiError } from '../../lib/api-client';
import type { Message, Template, WhatsappConfig } from '../../lib/api-types';
import { useAdvisorZone } from '../../lib/advisor-zone';
import { fieldErrorText } from '../../lib/field-error-text';
import { localInputToIso, toLocalInput } from '../../lib/format';
import { itemsOf } from '../../lib/list-items';
import { checkPhoneInput } from '../../lib/phone-input';
import { mediaTypeOf, readFileAsBase64 } from '../../lib/read-file';
import { useLocation } from '../../lib/router';
import { useSession } from '../../lib/session-context';
import { useLeaveGuard } from '../../lib/use-leave-guard';
import { useResource } from '../../lib/use-resource';
import { useSendAttemptKey } from '../../lib/send-attempt-key';
import { serverNow } from '../../lib/server-clock';
import { ownValue } from '../../lib/template-render';
import { tooLong } from '../../lib/text-length';
import { DEFAULT_MEDIA_MAX_BYTES, MediaField } from './media-field';
import { RecipientField } from './recipient-field';
import { SentResult } from './sent-result';
import { TemplateFields } from './template-fields';

type Mode = 'text' | 'template' | 'media';

/** The fields that show their own problem (`variables.<name>` too). */
const FORM_FIELDS = new Set(['to', 'clientName', 'text', 'template', 'media', 'caption', 'scheduledAt']);
/** The server's bound (message.schema.ts), in characters as it counts them (text-length.ts). */
const CLIENT_NAME_MAX = 200;

/**
 * A field's problem as a key, put in words when shown, so a language switch re-words it; a rule
 * the server named for a field, put in words the same way (its own sentence when we cannot).
 */
type Problem =
  { key: MessageKey; vars?: Record<string, string | number> } | { field: string; server: string };

export function SendScreen() {
  const { t } = useI18n();
  const { query } = useLocation();
  const { user } = useSession();
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const templates = useResource<Template[] | { items: Template[] }>('/api/whatsapp/templates');
  const defaultCountry = config.data?.settings.defaultCountry ?? 'ES';
  const mediaMaxBytes = config.data?.limits?.mediaMaxBytes ?? DEFAULT_MEDIA_MAX_BYTES;

  const [to, setTo] = useState(query.get('to') ?? '');
  const [clientName, setClientName] = useState(query.get('name') ?? '');
  const [mode, setMode] = useState<Mode>(query.get('template') ? 'template' : 'text');
  const [text, setText] = useState('');
  const [templateId, setTemplateId] = useState(query.get('template') ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [file, setFile] = useState<File | null>(null);
  const [caption, setCaption] = useState('');
  // WhatsApp shows no caption on a voice note or audio file, and the service refuses one (422):
  // with an audio file picked, the caption box goes and what was typed in it is not sent.
  const audioPicked = file !== null && mediaTypeOf(file.type || 'application/octet-stream') === 'audio';
  const [scheduled, setScheduled] = useState(false);
  // Read and shown in the advisor's zone; an hour from now until they type a time.
  const { timeZone } = useAdvisorZone();
  const zoneName = timeZone ?? new Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [typedWhen, setWhen] = useState<string | null>(null);
  const when = typedWhen ?? toLocalInput(new Date(serverNow() + 3_600_000), timeZone);
  // The suggested time, held from the first press on: a retry must ask for the same time (the same
  // request, see attemptKey), not the suggestion of a minute later. Let go once sent.
  const suggestedHeld = useRef(false);
  const attemptKey = useSendAttemptKey();
  const [errors, setErrors] = useState<Record<string, Problem>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const [sent, setSent] = useState<Message | null>(null);

  const templateList = itemsOf(templates.data);
  // What the advisor wrote or chose and has not sent. A recipient alone, or a template's values
  // (filled in from what the dashboard knows), are quick to redo and do not ask.
  const unsent =
    (mode === 'text' && text.trim() !== '') || (mode === 'media' && (file !== null || caption.trim() !== ''));
  const leaveGuard = useLeaveGuard(unsent);
  // The names the dashboard last filled in. A box still holding one follows the name as it changes
  // (the client's is typed key by key beside the recipient: filled only while empty, the box kept
  // its first letter); a value the advisor wrote there stays theirs.
  const filledNames = useRef<Record<string, string>>({});
  useEffect(() => {
    // Fill what the dashboard already knows: the advisor's own name and the client's.
    const known: Record<string, string> = { nombre_asesor: user?.name ?? '', nombre_cliente: clientName };
    const before = filledNames.current;
    filledNames.current = known;
    setValues((v) => {
      const next = { ...v };
      for (const [name, value] of Object.entries(known)) {
        const current = ownValue(v, name) ?? '';
        if (current === '' || current === before[name]) next[name] = value;
      }
      return next;
    });
  }, [templateId, user, clientName]);

  /** A field the advisor changed no longer shows the problem the last submit found in it. */
  const changed = (...fields: string[]) =>
    setErrors((prev) => {
      if (!fields.some((f) => f in prev)) return prev;
      const next = { ...prev };
      for (const f of fields) delete next[f];
      return next;
    });
  const say = (problem: Problem | undefined): string | null =>
    !problem
      ? null
      : 'server' in problem
        ? fieldErrorText(problem.field, problem.server, t)
        : t(problem.key, problem.vars);

  // Said as it is typed (or as `?name=` brings it), since the box no longer stops the typing.
  const clientNameTooLong = tooLong(clientName, CLIENT_NAME_MAX);
  const validate = (): Record<string, Problem> => {
    const out: Record<string, Problem> = {};
    const phone = checkPhoneInput(to, defaultCountry);
    if (phone.state === 'empty') out.to = { key: 'send.toRequired' };
    else if (phone.state === 'invalid')
      out.to = { key: `send.phone.${phone.reason}`, vars: { country: defaultCountry } };
    if (clientNameTooLong) out.clientName = { key: 'fieldErr.tooLong', vars: { max: CLIENT_NAME_MAX } };
    if (mode === 'text' && !text.trim()) out.text = { key: 'send.textRequired' };
    if (mode === 'template' && !templateId) out.template = { key: 'send.templateRequired' };
    if (mode === 'media' && !file) out.media = { key: 'send.fileRequired' };
    if (mode === 'media' && file && file.size > mediaMaxBytes) out.media = { key: 'err.payload_too_large' };
    if (scheduled) {
      const iso = localInputToIso(when, timeZone);
      if (!iso) out.scheduledAt = { key: 'send.whenRequired' };
      else if (new Date(iso).getTime() < serverNow()) out.scheduledAt = { key: 'send.whenPast' };
    }
    return out;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    const local = validate();
    setErrors(local);
    if (Object.keys(local).length) return;
    if (scheduled && typedWhen === null) {
      suggestedHeld.current = true;
      setWhen(when);
    }
    setBusy(true);
    setFormError(null);
    try {
      const body: Record<string, unknown> = { to: to.trim() };
      if (clientName.trim()) body.clientName = clientName.trim();
      if (scheduled) body.scheduledAt = localInputToIso(when, timeZone);
      if (mode === 'text') Object.assign(body, { type: 'text', text: text.trim() });
      if (mode === 'template') {
        const tpl = templateList.find((x) => x.id === templateId);
        const variables = Object.fromEntries(
          Object.entries(values).filter(([k, v]) => tpl?.variables.includes(k) && v.trim()),
        );
        Object.assign(body, { type: 'text', template: { id: templateId }, variables });
      }
      if (mode === 'media' && file) {
        const mimetype = file.type || 'application/octet-stream';
        Object.assign(body, {
          type: mediaTypeOf(mimetype),
          media: { base64: await readFileAsBase64(file), mimetype, fileName: file.name },
        });
        if (caption.trim() && !audioPicked) body.caption = caption.trim();
      }
      // What the advisor filled in decides whether this press repeats an unanswered send; the
      // repeat is then that attempt's own request, though a derived detail (the advisor's zone,
      // loaded since, turning the held time into another instant) may differ now. A file stands
      // for itself by name, size and date, not by its base64 kept twice.
      const form = {
        to,
        clientName,
        when: scheduled ? when : null,
        mode,
        ...(mode === 'text' ? { text } : {}),
        ...(mode === 'template' ? { templateId, values } : {}),
        ...(mode === 'media' && file
          ? { file: [file.name, file.size, file.lastModified], caption: audioPicked ? '' : caption }
          : {}),
      };
      const attempt = attemptKey.request(form, () => body);
      const result = await api.post<{ message: Message }>('/api/whatsapp/send', attempt.body, {
        headers: { 'Idempotency-Key': attempt.key },
      });
      attemptKey.settle();
      setSent(result.message);
      // What was sent is cleared, so the same button cannot send it again by mistake; the
      // recipient stays for a next message to the same client.
      setText('');
      setFile(null);
      setCaption('');
      if (mode === 'template') {
        setTemplateId('');
        setValues({});
      }
      if (suggestedHeld.current) {
        suggestedHeld.current = false;
        setWhen(null);
      }
      setTried(false);
    } catch (err) {
      const mapped = sendErrors(err);
      setErrors(mapped);
      // A reason about no field the form shows would be shown nowhere: it goes above the button.
      const placed = Object.keys(mapped).filter((f) => FORM_FIELDS.has(f) || f.startsWith('variables.'));
      if (placed.length === 0 || placed.length < Object.keys(mapped).length) setFormError(err);
    } finally {
      setBusy(false);
    }
  };

  const shown = (key: string) => (tried ? say(errors[key]) : null);
  const templateErrors = tried
    ? Object.fromEntries(Object.entries(errors).map(([field, problem]) => [field, say(problem) ?? '']))
    : {};

  return (
    <>
      <PageHeader title={t('send.title')} intro={t('send.intro')} />
      {sent && (
        <SentResult
          message={sent}
          connection={config.data ? { status: config.data.status, alert: config.data.alert ?? null } : null}
          onDismiss={() => setSent(null)}
        />
      )}
      <form className="card stack send-form" onSubmit={submit} noValidate>
        <div className="grid-2">
          <RecipientField
            value={to}
            onChange={(value) => {
              setTo(value);
              changed('to');
            }}
            defaultCountry={defaultCountry}
            serverError={shown('to')}
            showEmpty={tried}
          />
          <Field
            label={t('send.clientName')}
            hint={t('send.clientNameHint')}
            error={
              shown('clientName') ??
              (clientNameTooLong ? t('fieldErr.tooLong', { max: CLIENT_NAME_MAX }) : null)
            }
          >
            {(ids) => (
              <input
                {...ids}
                value={clientName}
                onChange={(e) => {
                  setClientName(e.target.value);
                  changed('clientName');
                }}
                autoComplete="off"
              />
            )}
          </Field>
        </div>

        <fieldset className="segmented-field">
          <legend>{t('send.what')}</legend>
          <div className="segmented">
            {(['text', 'template', 'media'] as const).map((m) => (
              <label key={m} className={mode === m ? 'checked' : undefined}>
                <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
                {t(`send.mode.${m}`)}
              </label>
            ))}
          </div>
        </fieldset>

        {mode === 'text' && (
          <Field label={t('send.text')} error={shown('text')}>
            {(ids) => (
              <textarea
                {...ids}
                rows={5}
                dir="auto"
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  changed('text');
                }}
                data-testid="send-text"
              />
            )}
          </Field>
        )}
        {mode === 'template' &&
          (templates.error ? (
            <ErrorNotice error={templates.error} onRetry={templates.reload} />
          ) : (
            <TemplateFields
              templates={templateList}
              templateId={templateId}
              onTemplate={(id) => {
                setTemplateId(id);
                changed('template', ...Object.keys(errors).filter((f) => f.startsWith('variables.')));
              }}
              values={values}
              onValues={(next) => {
                setValues(next);
                changed(
                  ...Object.keys(next)
                    .filter((name) => next[name] !== values[name])
                    .map((n) => `variables.${n}`),
                );
              }}
              errors={templateErrors}
            />
          ))}
        {mode === 'media' && (
          <>
            <MediaField
              file={file}
              maxBytes={mediaMaxBytes}
              onChange={(f) => {
                setFile(f);
                changed('media');
              }}
              error={shown('media')}
            />
            {audioPicked ? (
              <p className="muted" data-testid="audio-no-caption">
                {t('send.audioNoCaption')}
              </p>
            ) : (
              <Field label={t('send.caption')} error={shown('caption')}>
                {(ids) => (
                  <textarea
                    {...ids}
                    rows={2}
                    dir="auto"
                    value={caption}
                    onChange={(e) => {
                      setCaption(e.target.value);
                      changed('caption');
                    }}
                  />
                )}
              </Field>
            )}
          </>
        )}

        <div className="schedule">
          <label className="check">
            <input type="checkbox" checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} />
            {t('send.scheduleLater')}
          </label>
          {scheduled && (
            <Field
              label={t('send.when')}
              hint={
                <span data-testid="schedule-zone">
                  {t('send.whenZone', { zone: zoneName.replace(/_/g, ' ') })}
                </span>
              }
              error={shown('scheduledAt')}
            >
              {(ids) => (
                <input
                  {...ids}
                  type="datetime-local"
                  value={when}
                  onChange={(e) => {
                    suggestedHeld.current = false;
                    setWhen(e.target.value);
                    changed('scheduledAt');
                  }}
                />
              )}
            </Field>
          )}
        </div>

        {formError !== null && <ErrorNotice error={formError} />}
        <div className="card-actions">
          <button type="submit" className="btn btn-primary btn-large" disabled={busy}>
            {busy ? t('send.sending') : scheduled ? t('send.schedule') : t('send.submit')}
          </button>
        </div>
      </form>
      <LeaveGuardDialog
        guard={leaveGuard}
        title="leave.sendTitle"
        text="leave.sendText"
        confirm="leave.sendConfirm"
      />
    </>
  );
}

/** The server's reasons, placed next to the field they concern; {} when it is not about a field. */
function sendErrors(err: unknown): Record<string, Problem> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, Problem> = {};
  for (const [field, message] of Object.entries(err.fieldErrors())) {
    const key = field.replace(/^body\./, '');
    out[key.startsWith('media') ? 'media' : key] ??= { field: key, server: message };
  }
  if (err.code === 'invalid_phone') out.to = { key: 'err.invalid_phone' };
  if (err.code === 'recipient_opted_out') out.to = { key: 'err.recipient_opted_out' };
  if (err.code === 'not_on_whatsapp') out.to = { key: 'err.not_on_whatsapp' };
  if (err.code === 'payload_too_large' || err.code === 'unsupported_media_type')
    out.media = { key: `err.${err.code}` };
  if (err.code === 'missing_variable' || err.code === 'unknown_variable') {
    const names = err.details.missing ?? err.details.unknown ?? err.details.variables;
    if (Array.isArray(names) && names.length) {
      for (const n of names)
        out[`variables.${String(n)}`] = {
          key: err.code === 'missing_variable' ? 'send.variableMissing' : 'send.variableUnknown',
        };
    } else out.template = { key: `err.${err.code}` };
  }
  return out;
}
