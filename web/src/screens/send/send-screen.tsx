// Send one WhatsApp message: free text, a template with its variables, or a file with a caption;
// now or at a chosen time. Each submit carries a fresh Idempotency-Key so a double click or a
// retried request never sends twice.
import { useEffect, useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/AppShell';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { useI18n } from '../../i18n/i18n-context';
import { api, ApiError } from '../../lib/api-client';
import type { Message, Template, WhatsappConfig } from '../../lib/api-types';
import { localInputToIso, toLocalInput } from '../../lib/format';
import { itemsOf } from '../../lib/list-items';
import { checkPhoneInput } from '../../lib/phone-input';
import { randomId } from '../../lib/random-id';
import { mediaTypeOf, readFileAsBase64 } from '../../lib/read-file';
import { useLocation } from '../../lib/router';
import { useSession } from '../../lib/session-context';
import { useResource } from '../../lib/use-resource';
import { MEDIA_MAX_BYTES, MediaField } from './media-field';
import { RecipientField } from './recipient-field';
import { SentResult } from './sent-result';
import { TemplateFields } from './template-fields';

type Mode = 'text' | 'template' | 'media';

export function SendScreen() {
  const { t } = useI18n();
  const { query } = useLocation();
  const { user } = useSession();
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const templates = useResource<Template[] | { items: Template[] }>('/api/whatsapp/templates');
  const defaultCountry = config.data?.settings.defaultCountry ?? 'ES';

  const [to, setTo] = useState(query.get('to') ?? '');
  const [clientName, setClientName] = useState(query.get('name') ?? '');
  const [mode, setMode] = useState<Mode>(query.get('template') ? 'template' : 'text');
  const [text, setText] = useState('');
  const [templateId, setTemplateId] = useState(query.get('template') ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [file, setFile] = useState<File | null>(null);
  const [caption, setCaption] = useState('');
  const [scheduled, setScheduled] = useState(false);
  const [when, setWhen] = useState(() => toLocalInput(new Date(Date.now() + 3_600_000)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const [sent, setSent] = useState<Message | null>(null);

  const templateList = itemsOf(templates.data);
  useEffect(() => {
    // Fill what the dashboard already knows: the advisor's own name and the client's.
    setValues((v) => ({
      ...v,
      nombre_asesor: v.nombre_asesor || (user?.name ?? ''),
      nombre_cliente: v.nombre_cliente || clientName,
    }));
  }, [templateId, user, clientName]);

  const validate = (): Record<string, string> => {
    const out: Record<string, string> = {};
    const phone = checkPhoneInput(to, defaultCountry);
    if (phone.state === 'empty') out.to = t('send.toRequired');
    else if (phone.state === 'invalid') out.to = t(`send.phone.${phone.reason}`, { country: defaultCountry });
    if (mode === 'text' && !text.trim()) out.text = t('send.textRequired');
    if (mode === 'template' && !templateId) out.template = t('send.templateRequired');
    if (mode === 'media' && !file) out.media = t('send.fileRequired');
    if (mode === 'media' && file && file.size > MEDIA_MAX_BYTES) out.media = t('err.payload_too_large');
    if (scheduled) {
      const iso = localInputToIso(when);
      if (!iso) out.scheduledAt = t('send.whenRequired');
      else if (new Date(iso).getTime() < Date.now()) out.scheduledAt = t('send.whenPast');
    }
    return out;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    const local = validate();
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setFormError(null);
    try {
      const body: Record<string, unknown> = { to: to.trim() };
      if (clientName.trim()) body.clientName = clientName.trim();
      if (scheduled) body.scheduledAt = localInputToIso(when);
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
        if (caption.trim()) body.caption = caption.trim();
      }
      const result = await api.post<{ message: Message }>('/api/whatsapp/send', body, {
        headers: { 'Idempotency-Key': randomId() },
      });
      setSent(result.message);
      setText('');
      setFile(null);
      setCaption('');
      setTried(false);
    } catch (err) {
      const mapped = sendErrors(err, t);
      setErrors(mapped);
      if (Object.keys(mapped).length === 0) setFormError(err);
    } finally {
      setBusy(false);
    }
  };

  const shown = (key: string) => (tried ? (errors[key] ?? null) : null);

  return (
    <>
      <PageHeader title={t('send.title')} intro={t('send.intro')} />
      {sent && <SentResult message={sent} onDismiss={() => setSent(null)} />}
      <form className="card stack send-form" onSubmit={submit} noValidate>
        <div className="grid-2">
          <RecipientField
            value={to}
            onChange={setTo}
            defaultCountry={defaultCountry}
            serverError={errors.to && tried ? errors.to : null}
            showEmpty={tried}
          />
          <Field label={t('send.clientName')} hint={t('send.clientNameHint')}>
            {(ids) => (
              <input
                {...ids}
                value={clientName}
                onChange={(e) => setClientName(e.target.value)}
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
                value={text}
                onChange={(e) => setText(e.target.value)}
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
              onTemplate={setTemplateId}
              values={values}
              onValues={setValues}
              errors={tried ? errors : {}}
            />
          ))}
        {mode === 'media' && (
          <>
            <MediaField file={file} onChange={setFile} error={shown('media')} />
            <Field label={t('send.caption')} error={shown('caption')}>
              {(ids) => (
                <textarea {...ids} rows={2} value={caption} onChange={(e) => setCaption(e.target.value)} />
              )}
            </Field>
          </>
        )}

        <div className="schedule">
          <label className="check">
            <input type="checkbox" checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} />
            {t('send.scheduleLater')}
          </label>
          {scheduled && (
            <Field label={t('send.when')} error={shown('scheduledAt')}>
              {(ids) => (
                <input
                  {...ids}
                  type="datetime-local"
                  value={when}
                  onChange={(e) => setWhen(e.target.value)}
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
    </>
  );
}

/** The server's reasons, placed next to the field they concern; {} when it is not about a field. */
function sendErrors(err: unknown, t: ReturnType<typeof useI18n>['t']): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(err.fieldErrors())) {
    const key = field.replace(/^body\./, '');
    out[key.startsWith('media') ? 'media' : key] ??= message;
  }
  if (err.code === 'invalid_phone') out.to = t('err.invalid_phone');
  if (err.code === 'recipient_opted_out') out.to = t('err.recipient_opted_out');
  if (err.code === 'not_on_whatsapp') out.to = t('err.not_on_whatsapp');
  if (err.code === 'payload_too_large' || err.code === 'unsupported_media_type')
    out.media = t(`err.${err.code}`);
  if (err.code === 'missing_variable' || err.code === 'unknown_variable') {
    const names = err.details.missing ?? err.details.unknown ?? err.details.variables;
    if (Array.isArray(names) && names.length) {
      for (const n of names)
        out[`variables.${String(n)}`] = t(
          err.code === 'missing_variable' ? 'send.variableMissing' : 'send.variableUnknown',
        );
    } else out.template = t(`err.${err.code}`);
  }
  return out;
}
