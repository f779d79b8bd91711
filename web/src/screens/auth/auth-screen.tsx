// Sign in and create an account (better-auth email + password). After either, the dashboard
// takes over and opens the page the advisor asked for.
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { Link } from '../../components/Link';
import { useI18n } from '../../i18n/i18n-context';
import { useSession } from '../../lib/session-context';

const MIN_PASSWORD = 8;
const MAX_NAME = 100;

export function AuthScreen({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const { t } = useI18n();
  const session = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tried, setTried] = useState(false);
  const signUp = mode === 'sign-up';

  const problems = {
    // The server's bound (src/auth/auth.ts): the name is shown to clients and makes the public slug.
    name: !signUp
      ? null
      : !name.trim()
        ? t('auth.nameRequired')
        : name.trim().length > MAX_NAME
          ? t('auth.nameTooLong', { max: MAX_NAME })
          : null,
    email: !/^\S+@\S+\.\S+$/.test(email.trim()) ? t('auth.emailInvalid') : null,
    password: password.length < MIN_PASSWORD ? t('auth.passwordShort', { min: MIN_PASSWORD }) : null,
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problems.name || problems.email || (signUp && problems.password) || !password) return;
    setBusy(true);
    setError(null);
    try {
      if (signUp) await session.signUp(name.trim(), email.trim(), password);
      else await session.signIn(email.trim(), password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <div className="auth-lang">
        <LanguageSwitch />
      </div>
      <div className="auth-card">
        <aside className="auth-aside">
          <span className="brand-mark brand-mark-large" aria-hidden="true">
            <Icon name="leaf" size={28} />
          </span>
          <p className="auth-brand">{t('app.name')}</p>
          <p className="auth-tagline">{t('auth.tagline')}</p>
          <ul className="auth-points">
            <li>
              <Icon name="check" size={16} /> {t('auth.point1')}
            </li>
            <li>
              <Icon name="check" size={16} /> {t('auth.point2')}
            </li>
            <li>
              <Icon name="check" size={16} /> {t('auth.point3')}
            </li>
          </ul>
        </aside>
        <main className="auth-main">
          <h1>{signUp ? t('auth.signUpTitle') : t('auth.signInTitle')}</h1>
          <p className="muted">{signUp ? t('auth.signUpIntro') : t('auth.signInIntro')}</p>
          {!signUp && session.sessionEnded && (
            <div className="banner banner-alert" role="status">
              <Icon name="alert" size={18} />
              <p>{t('auth.sessionEnded')}</p>
            </div>
          )}
          <form className="stack" onSubmit={submit} noValidate>
            {signUp && (
              <Field label={t('auth.name')} error={tried ? problems.name : null}>
                {(ids) => (
                  <input
                    {...ids}
                    value={name}
                    onChange={(e) => {
                      setName(e.target.value);
                      setError(null); // the server's last answer was about the old value
                    }}
                    autoComplete="name"
                    required
                  />
                )}
              </Field>
            )}
            <Field label={t('auth.email')} error={tried ? problems.email : null}>
              {(ids) => (
                <input
                  {...ids}
                  type="email"
                  value={email}
                  onChange={(e) => {
                    setEmail(e.target.value);
                    setError(null);
                  }}
                  autoComplete="email"
                  required
                />
              )}
            </Field>
            <Field
              label={t('auth.password')}
              hint={signUp ? t('auth.passwordHint', { min: MIN_PASSWORD }) : undefined}
              error={
                tried && (signUp || !password)
                  ? password
                    ? problems.password
                    : t('auth.passwordRequired')
                  : null
              }
            >
              {(ids) => (
                <div className="input-with-button">
                  <input
                    {...ids}
                    type={showPassword ? 'text' : 'password'}
                    value={password}
                    onChange={(e) => {
                      setPassword(e.target.value);
                      setError(null);
                    }}
                    autoComplete={signUp ? 'new-password' : 'current-password'}
                    required
                  />
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    aria-pressed={showPassword}
                    onClick={() => setShowPassword((v) => !v)}
                  >
                    {showPassword ? t('auth.hidePassword') : t('auth.showPassword')}
                  </button>
                </div>
              )}
            </Field>
            {error !== null && <ErrorNotice error={error} />}
            <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
              {busy ? t('common.working') : signUp ? t('auth.signUp') : t('auth.signIn')}
            </button>
          </form>
          <p className="auth-switch">
            {signUp ? t('auth.haveAccount') : t('auth.noAccount')}{' '}
            <Link href={signUp ? '/sign-in' : '/sign-up'}>
              {signUp ? t('auth.signIn') : t('auth.signUp')}
            </Link>
          </p>
        </main>
      </div>
    </div>
  );
}
