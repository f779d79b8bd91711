// The advisor's WhatsApp settings (PUT /api/whatsapp/config { settings }), with the server's
// per-field validation shown next to each field. Leaving with unsaved changes is asked first.
import { useEffect, useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/AppShell';
import { LeaveGuardDialog } from '../../components/LeaveGuardDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Link } from '../../components/Link';
import { LoadingState } from '../../components/LoadingState';
import { Switch } from '../../components/Switch';
import { useToast } from '../../components/Toaster';
import { useI18n } from '../../i18n/i18n-context';
import { useAdvisorZone } from '../../lib/advisor-zone';
import { api, ApiError } from '../../lib/api-client';
import type { WhatsappConfig, WhatsappSettings } from '../../lib/api-types';
import { fieldErrorText } from '../../lib/field-error-text';
import { tooLong } from '../../lib/text-length';
import { useLeaveGuard } from '../../lib/use-leave-guard';
import { useResource } from '../../lib/use-resource';
import { DurationInput } from './duration-input';
import { settingsChanged, settingsPatch } from './settings-changes';
import { countryOptions, localeName, LOCALES, timezones } from './settings-options';

const RATE_WINDOWS = [60_000, 3_600_000];
/** The server's bound on the button's message (advisor-settings.ts), in characters as it counts them. */
const CTA_MESSAGE_MAX = 1000;

export function SettingsScreen() {
  const { t, locale } = useI18n();
  const toast = useToast();
  const { setTimeZone } = useAdvisorZone();
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const [form, setForm] = useState<WhatsappSettings | null>(null);
  const [quiet, setQuiet] = useState(true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!config.data) return;
    setForm(config.data.settings);
    setQuiet(config.data.settings.quietHours !== null);
  }, [config.data]);

  /** What a save would send: the quiet-hours times only while the box is ticked. */
  const draft = (f: WhatsappSettings): WhatsappSettings => {
    const quietHours = f.quietHours ?? { start: '21:00', end: '08:00' };
    return { ...f, quietHours: quiet ? quietHours : null, ctaEnabled: f.ctaEnabled ?? true };
  };
  const unsaved = form !== null && config.data !== null && settingsChanged(config.data.settings, draft(form));
  const leaveGuard = useLeaveGuard(unsaved);

  if (config.loading && !config.data) return <LoadingState />;
  if (config.error && !config.data) {
    return (
      <>
        <PageHeader title={t('settings.title')} />
        <ErrorNotice error={config.error} onRetry={config.reload} />
      </>
    );
  }
  if (!form || !config.data) return <LoadingState />;

  const set = <K extends keyof WhatsappSettings>(key: K, value: WhatsappSettings[K]) =>
    setForm((f) => (f ? { ...f, [key]: value } : f));
  /** The first server message for a field or anything under it (`quietHours` covers `quietHours.start`). */
  const err = (path: string) =>
    errors[path] ?? Object.entries(errors).find(([k]) => k.startsWith(`${path}.`))?.[1] ?? null;
  const quietHours = form.quietHours ?? { start: '21:00', end: '08:00' };
  const ctaEnabled = form.ctaEnabled ?? true;
  const slug = config.data.publicSlug;
  // Said as it is typed, since the box no longer stops the typing; a save sends nothing meanwhile.
  const ctaTooLong = tooLong(form.ctaMessage, CTA_MESSAGE_MAX);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (ctaTooLong) {
      setErrors({});
      setFormError(new ApiError(422, 'validation_failed', ''));
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const settings: Record<string, unknown> = settingsPatch(config.data!.settings, draft(form));
      // An emptied message goes back to the default of the advisor's language (null).
      if (typeof settings.ctaMessage === 'string' && settings.ctaMessage.trim() === '')
        settings.ctaMessage = null;
      const saved = await api.put<WhatsappConfig>('/api/whatsapp/config', { settings });
      config.setData(saved);
      setTimeZone(saved.settings.timezone);
      toast(t('settings.saved'));
    } catch (e) {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      const mapped = Object.fromEntries(
        Object.entries(fields).map(([k, v]) => {
          const field = k.replace(/^(body\.)?(settings\.)?/, '');
          return [field, fieldErrorText(field, v, t)];
        }),
      );
      setErrors(mapped);
      if (Object.keys(mapped).length === 0) setFormError(e);
      else setFormError(new ApiError(422, 'validation_failed', ''));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('settings.title')} intro={t('settings.intro')} />
      <form className="stack settings" onSubmit={save} noValidate>
        <section className="card stack" aria-labelledby="s-region">
          <h2 id="s-region">{t('settings.region')}</h2>
          <div className="grid-3">
            <Field
              label={t('settings.country')}
              hint={t('settings.countryHint')}
              error={err('defaultCountry')}
            >
              {(ids) => (
                <select
                  {...ids}
                  value={form.defaultCountry}
                  onChange={(e) => set('defaultCountry', e.target.value)}
                >
                  {countryOptions(locale, form.defaultCountry).map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name} ({c.code})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('settings.timezone')} error={err('timezone')}>
              {(ids) => (
                <select {...ids} value={form.timezone} onChange={(e) => set('timezone', e.target.value)}>
                  {timezones(form.timezone).map((z) => (
                    <option key={z} value={z}>
                      {z.replace(/_/g, ' ')}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('settings.locale')} hint={t('settings.localeHint')} error={err('locale')}>
              {(ids) => (
                <select {...ids} value={form.locale} onChange={(e) => set('locale', e.target.value)}>
                  {(LOCALES.includes(form.locale) ? LOCALES : [form.locale, ...LOCALES]).map((l) => (
                    <option key={l} value={l}>
                      {localeName(l, locale)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </section>

        <section className="card stack" aria-labelledby="s-timing">
          <h2 id="s-timing">{t('settings.timing')}</h2>
          <label className="check">
            <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />
            {t('settings.quietEnabled')}
          </label>
          {quiet && (
            <div className="grid-2">
              <Field label={t('settings.quietStart')} error={err('quietHours.start') ?? err('quietHours')}>
                {(ids) => (
                  <input
                    {...ids}
                    type="time"
                    value={quietHours.start}
                    onChange={(e) => set('quietHours', { ...quietHours, start: e.target.value })}
                  />
                )}
              </Field>
              <Field
                label={t('settings.quietEnd')}
                // Equal times are accepted and mean no quiet hours at all: say so before saving.
                hint={
                  quietHours.start === quietHours.end ? (
                    <span data-testid="quiet-equal-hint">{t('settings.quietEqual')}</span>
                  ) : undefined
                }
                error={err('quietHours.end')}
              >
                {(ids) => (
                  <input
                    {...ids}
                    type="time"
                    value={quietHours.end}
                    onChange={(e) => set('quietHours', { ...quietHours, end: e.target.value })}
                  />
                )}
              </Field>
            </div>
          )}
          <p className="field-hint">{t('settings.quietHint')}</p>
          <div className="grid-2">
            <Field
              label={t('settings.reminder')}
              hint={t('settings.reminderHint')}
              error={err('reminderOffsetMinutes')}
            >
              {(ids) => (
                <DurationInput
                  ids={ids}
                  minutes={form.reminderOffsetMinutes}
                  onChange={(v) => set('reminderOffsetMinutes', v)}
                />
              )}
            </Field>
            <Field
              label={t('settings.followUp')}
              hint={t('settings.followUpHint')}
              error={err('followUpDelayMinutes')}
            >
              {(ids) => (
                <DurationInput
                  ids={ids}
                  minutes={form.followUpDelayMinutes}
                  onChange={(v) => set('followUpDelayMinutes', v)}
                />
              )}
            </Field>
          </div>
          <div className="grid-2">
            <Field
              label={t('settings.lateReminder')}
              hint={t('settings.lateReminderHint')}
              error={err('lateReminder')}
            >
              {(ids) => (
                <select
                  {...ids}
                  value={form.lateReminder ?? 'send_now'}
                  onChange={(e) => set('lateReminder', e.target.value as 'skip' | 'send_now')}
                >
                  <option value="send_now">{t('settings.lateReminder.send_now')}</option>
                  <option value="skip">{t('settings.lateReminder.skip')}</option>
                </select>
              )}
            </Field>
            <div className="field">
              <Switch
                checked={form.rescheduleNotice ?? true}
                onChange={(v) => set('rescheduleNotice', v)}
                label={t('settings.rescheduleNotice')}
              />
              {err('rescheduleNotice') && <p className="field-error">{err('rescheduleNotice')}</p>}
            </div>
          </div>
          <div className="grid-2">
            <Field
              label={t('settings.rateMax')}
              hint={`${t('settings.rateHint')} ${t('settings.rateBounds')}`}
              error={err('rateLimit.max') ?? err('rateLimit')}
            >
              {(ids) => (
                <input
                  {...ids}
                  type="number"
                  min={1}
                  step={1}
                  value={form.rateLimit.max}
                  // Kept as typed: rounding here turned "2.5" into 3 without a word; the server
                  // answers a fraction with "a whole number" next to the field.
                  onChange={(e) => set('rateLimit', { ...form.rateLimit, max: Number(e.target.value) })}
                />
              )}
            </Field>
            <Field label={t('settings.rateWindow')} error={err('rateLimit.durationMs')}>
              {(ids) => (
                <select
                  {...ids}
                  value={form.rateLimit.durationMs}
                  onChange={(e) =>
                    set('rateLimit', { ...form.rateLimit, durationMs: Number(e.target.value) })
                  }
                >
                  {(RATE_WINDOWS.includes(form.rateLimit.durationMs)
                    ? RATE_WINDOWS
                    : [form.rateLimit.durationMs, ...RATE_WINDOWS]
                  ).map((ms) => (
                    <option key={ms} value={ms}>
                      {ms === 60_000
                        ? t('settings.perMinute')
                        : ms === 3_600_000
                          ? t('settings.perHour')
                          : t('settings.perSeconds', { seconds: ms / 1000 })}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </section>

        <section className="card stack" aria-labelledby="s-cta">
          <h2 id="s-cta">{t('settings.cta')}</h2>
          <p className="muted">{t('settings.ctaIntro')}</p>
          <Switch
            checked={ctaEnabled}
            onChange={(v) => set('ctaEnabled', v)}
            label={t('settings.ctaEnabled')}
            testId="cta-enabled"
          />
          {err('ctaEnabled') && <p className="field-error">{err('ctaEnabled')}</p>}
          <Field
            label={t('settings.ctaMessage')}
            hint={t('settings.ctaMessageHint')}
            error={ctaTooLong ? t('fieldErr.tooLong', { max: CTA_MESSAGE_MAX }) : err('ctaMessage')}
          >
            {(ids) => (
              <textarea
                {...ids}
                rows={3}
                value={form.ctaMessage}
                onChange={(e) => set('ctaMessage', e.target.value)}
              />
            )}
          </Field>
          {slug && ctaEnabled && (
            <p>
              <Link href={`/p/${encodeURIComponent(slug)}`}>{t('settings.ctaPreview')}</Link>
            </p>
          )}
        </section>

        <section className="card" aria-labelledby="s-features">
          <h2 id="s-features">{t('settings.features')}</h2>
          <ul className="features">
            {(['sending', 'reminders', 'inbox', 'publicCta'] as const).map((f) => (
              <li key={f}>
                <span className={`badge ${config.data?.features[f] ? 'badge-ok' : 'badge-muted'}`}>
                  {config.data?.features[f] ? t('settings.on') : t('settings.off')}
                </span>{' '}
                {t(`settings.feature.${f}`)}
              </li>
            ))}
          </ul>
          <p className="field-hint">{t('settings.featuresHint')}</p>
        </section>

        {formError !== null && <ErrorNotice error={formError} />}
        <div className="sticky-actions">
          <button type="submit" className="btn btn-primary btn-large" disabled={busy}>
            {busy ? t('common.working') : t('settings.save')}
          </button>
        </div>
      </form>
      <LeaveGuardDialog guard={leaveGuard} text="settings.leaveText" />
    </>
  );
}
