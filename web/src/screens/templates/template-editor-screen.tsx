// Create or edit a template: name, category, language and body with variable chips, sample
// values and a live preview. Editing a built-in saves the advisor's own version.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/AppShell';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LeaveGuardDialog } from '../../components/LeaveGuardDialog';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { LoadingState } from '../../components/LoadingState';
import { MessagePreview } from '../../components/MessagePreview';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { api, ApiError, enc } from '../../lib/api-client';
import type { Template, TemplateCategory, TemplateInput, WhatsappConfig } from '../../lib/api-types';
import { navigate } from '../../lib/router';
import { keyFromName } from '../../lib/template-key';
import { useSession } from '../../lib/session-context';
import { fieldErrorText } from '../../lib/field-error-text';
import { BUILTIN_VARIABLES, ownValue, variablesIn } from '../../lib/template-render';
import { quotedFragments, variableNames } from '../../lib/template-problems';
import { useLeaveGuard } from '../../lib/use-leave-guard';
import { tooLong } from '../../lib/text-length';
import { useResource } from '../../lib/use-resource';
import { sampleDateTime, sampleValues } from './sample-values';
import { useTemplatePreview } from './use-template-preview';
import { VariableChips } from './variable-chips';
import { deleteWording } from './delete-wording';

const CATEGORIES: TemplateCategory[] = ['confirmation', 'reminder', 'follow_up', 'custom'];
const BUILTIN_SET: ReadonlySet<string> = new Set(BUILTIN_VARIABLES);
// The same array each render for a template that has none: the allowed set is memoised on it.
const NONE: readonly string[] = [];
/**
 * The server's bound on a template's name (TEMPLATE_NAME_MAX_LENGTH in check-template-draft.ts), in
 * characters as it counts them (text-length.ts): the box says when a name is longer rather than
 * stopping the typing at a count of UTF-16 units (HTML maxLength, an emoji two).
 */
const NAME_MAX = 100;

type Errors = Partial<Record<keyof TemplateInput | 'form', string>>;

export function TemplateEditorScreen({ id }: { id: string | null }) {
  const { t, lang } = useI18n();
  const toast = useToast();
  const { user } = useSession();
  const loaded = useResource<Template>(id ? `/api/whatsapp/templates/${enc(id)}` : null);
  const [draft, setDraft] = useState<TemplateInput>({
    name: '',
    category: 'custom',
    language: lang,
    body: '',
  });
  const [saved, setSaved] = useState<Template | null>(null);
  const [values, setValues] = useState<Record<string, string>>(() => sampleValues(t, user?.name ?? ''));
  // The sample date and time follow the advisor's settings (locale, timezone) once they load,
  // unless the advisor already typed their own.
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const typed = useRef(new Set<string>());
  const region = config.data?.settings;
  useEffect(() => {
    if (!region) return;
    const when = sampleDateTime({ locale: region.locale, timezone: region.timezone });
    if (!when) return;
    setValues((v) => ({
      ...v,
      fecha_cita: typed.current.has('fecha_cita') ? v.fecha_cita! : when.fecha_cita,
      hora_cita: typed.current.has('hora_cita') ? v.hora_cita! : when.hora_cita,
    }));
  }, [region?.locale, region?.timezone]);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const bodyRef = useRef<HTMLTextAreaElement>(null);

  // A built-in's address (a bookmark, the browser's history) when the advisor has their own
  // version of it: that version is what sends, previews and saves under this id act on, so the
  // editor opens it instead. Shown the stock text here, a save overwrote their version with it.
  const [ownVersionChecked, setOwnVersionChecked] = useState(false);
  useEffect(() => {
    if (!loaded.data) return;
    const tpl = loaded.data;
    if (!tpl.builtIn) {
      setOwnVersionChecked(true);
      return;
    }
    let current = true;
    setOwnVersionChecked(false);
    api
      .get<{ items: Template[] }>('/api/whatsapp/templates')
      .then(({ items }) => {
        if (!current) return;
        const own = items.find((x) => x.overridesBuiltIn && x.key === tpl.key && x.language === tpl.language);
        if (own) navigate(`/templates/${enc(own.id)}`, { replace: true });
        else setOwnVersionChecked(true);
      })
      // The list could not be read: open the built-in as before rather than nothing.
      .catch(() => current && setOwnVersionChecked(true));
    return () => {
      current = false;
    };
  }, [loaded.data]);

  useEffect(() => {
    if (!loaded.data || !ownVersionChecked) return;
    const tpl = loaded.data;
    setSaved(tpl);
    setDraft({ name: tpl.name, category: tpl.category, language: tpl.language, body: tpl.body });
  }, [loaded.data, ownVersionChecked]);

  const used = variablesIn(draft.body);
  const unfillable = saved?.unfillableVariables ?? NONE;
  const allowed = useMemo(
    () =>
      draft.category === 'custom' ? null : new Set([...BUILTIN_SET].filter((v) => !unfillable.includes(v))),
    [draft.category, unfillable],
  );
  const unchanged = saved !== null && saved.category === draft.category;
  const preview = useTemplatePreview(
    saved?.id ?? null,
    draft.body,
    unchanged ? saved.body : null,
    values,
    allowed,
  );
  // What the server has (or an empty form for a new template) against what is typed.
  const unsaved = saved
    ? draft.name !== saved.name || draft.category !== saved.category || draft.body !== saved.body
    : !id && (draft.name.trim() !== '' || draft.body.trim() !== '');
  const leaveGuard = useLeaveGuard(unsaved);
  const update = (patch: Partial<TemplateInput>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => {
      const next = { ...e };
      for (const k of Object.keys(patch)) delete next[k as keyof Errors];
      return next;
    });
  };

  // Said as it is typed, since the box no longer stops the typing; a save sends nothing meanwhile.
  const nameTooLong = tooLong(draft.name, NAME_MAX);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const local: Errors = {};
    if (!draft.name.trim()) local.name = t('tpl.nameRequired');
    else if (nameTooLong) local.name = t('fieldErr.tooLong', { max: NAME_MAX });
    if (!draft.body.trim()) local.body = t('tpl.bodyRequired');
    if (preview.unknown.length)
      local.body = t('tpl.unknownVars', { list: preview.unknown.map((v) => `{${v}}`).join(', ') });
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setFormError(null);
    // Only custom templates declare their own variables: the ones the body uses beyond the built-ins.
    const customVariables = draft.category === 'custom' ? used.filter((v) => !BUILTIN_SET.has(v)) : [];
    const fields = { name: draft.name.trim(), category: draft.category, body: draft.body, customVariables };
    try {
      const result = saved
        ? await api.put<Template>(`/api/whatsapp/templates/${enc(saved.id)}`, fields)
        : await api.post<Template>('/api/whatsapp/templates', {
            ...fields,
            key: keyFromName(draft.name),
            language: draft.language,
          });
      setSaved(result);
      setDraft({
        name: result.name,
        category: result.category,
        language: result.language,
        body: result.body,
      });
      toast(saved?.builtIn ? t('tpl.savedOverride') : t('tpl.saved'));
      if (result.id !== id) {
        leaveGuard.release();
        navigate(`/templates/${enc(result.id)}`, { replace: true });
      }
    } catch (err) {
      const mapped = errorsFrom(err, t);
      setErrors(mapped);
      if (Object.keys(mapped).length === 0) setFormError(err);
    } finally {
      setBusy(false);
    }
  };

  if (id && ((loaded.loading && !loaded.data) || (loaded.data && !ownVersionChecked)))
    return <LoadingState />;
  if (id && loaded.error) {
    return (
      <>
        <PageHeader title={t('tpl.editTitle')} />
        <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
        <Link href="/templates">{t('tpl.back')}</Link>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={saved ? t('tpl.editTitle') : t('tpl.newTitle')}
        intro={saved?.builtIn ? t('tpl.builtInNote') : undefined}
        actions={
          <Link href="/templates" className="btn btn-ghost">
            {t('tpl.back')}
          </Link>
        }
      />
      <div className="editor-layout">
        <form className="card stack" onSubmit={save} noValidate>
          <Field
            label={t('tpl.name')}
            error={errors.name ?? (nameTooLong ? t('fieldErr.tooLong', { max: NAME_MAX }) : undefined)}
          >
            {(ids) => (
              <input {...ids} value={draft.name} onChange={(e) => update({ name: e.target.value })} />
            )}
          </Field>
          <div className="grid-2">
            <Field label={t('tpl.categoryLabel')} error={errors.category}>
              {(ids) => (
                <select
                  {...ids}
                  value={draft.category}
                  disabled={Boolean(saved?.builtIn || saved?.overridesBuiltIn)}
                  onChange={(e) => update({ category: e.target.value as TemplateCategory })}
                >
                  {CATEGORIES.map((c) => (
                    <option key={c} value={c}>
                      {t(`tpl.category.${c}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('tpl.language')} error={errors.language}>
              {(ids) => (
                <select
                  {...ids}
                  value={draft.language}
                  disabled={saved !== null}
                  onChange={(e) => update({ language: e.target.value })}
                >
                  {/* Each language named in itself, marked so a screen reader says it so. */}
                  <option value="es" lang="es">
                    Español
                  </option>
                  <option value="en" lang="en">
                    English
                  </option>
                  <option value="pt" lang="pt-BR">
                    Português
                  </option>
                </select>
              )}
            </Field>
          </div>
          <VariableChips
            textarea={bodyRef}
            value={draft.body}
            onChange={(body) => update({ body })}
            allowCustom={draft.category === 'custom'}
            exclude={unfillable}
          />
          <Field label={t('tpl.body')} hint={t('tpl.bodyHint')} error={errors.body}>
            {(ids) => (
              <textarea
                {...ids}
                ref={bodyRef}
                rows={9}
                value={draft.body}
                onChange={(e) => update({ body: e.target.value })}
                data-testid="template-body"
              />
            )}
          </Field>
          {formError !== null && <ErrorNotice error={formError} />}
          <div className="card-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('common.working') : t('common.save')}
            </button>
            {saved && !saved.builtIn && (
              <button type="button" className="btn btn-danger-ghost" onClick={() => setConfirmDelete(true)}>
                {t('common.delete')}
              </button>
            )}
          </div>
        </form>

        <aside className="card stack" aria-labelledby="preview-title">
          <h2 id="preview-title">{t('tpl.preview')}</h2>
          <MessagePreview text={preview.text} missing={preview.missing} />
          {preview.missing.length > 0 && (
            <p className="field-hint">
              {t('tpl.missingVars', { list: preview.missing.map((v) => `{${v}}`).join(', ') })}
            </p>
          )}
          {preview.unknown.length > 0 && (
            <p className="field-error">
              {t('tpl.unknownVars', { list: preview.unknown.map((v) => `{${v}}`).join(', ') })}
            </p>
          )}
          {used.length > 0 && (
            <fieldset className="samples">
              <legend>{t('tpl.sampleValues')}</legend>
              {used.map((name) => (
                <Field
                  key={name}
                  label={
                    BUILTIN_SET.has(name)
                      ? t(`var.${name as (typeof BUILTIN_VARIABLES)[number]}`)
                      : `{${name}}`
                  }
                >
                  {(ids) => (
                    <input
                      {...ids}
                      value={ownValue(values, name) ?? ''}
                      onChange={(e) => {
                        typed.current.add(name);
                        setValues((v) => ({ ...v, [name]: e.target.value }));
                      }}
                    />
                  )}
                </Field>
              ))}
            </fieldset>
          )}
        </aside>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={t(deleteWording(saved).title)}
        confirmLabel={t(deleteWording(saved).confirm)}
        danger
        onClose={() => setConfirmDelete(false)}
        onConfirm={async () => {
          if (!saved) return;
          await api.delete(`/api/whatsapp/templates/${enc(saved.id)}`);
          toast(t(deleteWording(saved).done));
          leaveGuard.release();
          navigate('/templates');
        }}
      >
        <p>{t(deleteWording(saved).text, { name: saved?.name ?? '' })}</p>
      </ConfirmDialog>
      <LeaveGuardDialog guard={leaveGuard} text="leave.templateText" />
    </>
  );
}

/** 422 details → messages next to the fields: `details.fields`, or the body for variable errors. */
function errorsFrom(err: unknown, t: ReturnType<typeof useI18n>['t']): Errors {
  if (!(err instanceof ApiError)) return {};
  const out: Errors = {};
  for (const [field, message] of Object.entries(err.fieldErrors())) {
    const top = field.replace(/^body\./, '').split('.')[0] ?? '';
    // The key is made from the name, and custom variables from the body: show them there.
    const target = top === 'key' ? 'name' : top === 'customVariables' ? 'body' : top;
    if (['name', 'category', 'language', 'body'].includes(target))
      out[target as keyof Errors] ??= fieldErrorText(target, message, t);
  }
  if (err.code === 'conflict') out.name = t('tpl.keyTaken');
  if (err.code === 'invalid_template' || err.code === 'unknown_variable') {
    const unknown = variableNames(err.details.unknown);
    const malformed = quotedFragments(err.details.malformed);
    out.body ??= unknown
      ? t('tpl.unknownVars', { list: unknown })
      : malformed
        ? t('tpl.malformed', { list: malformed })
        : err.message;
  }
  return out;
}
