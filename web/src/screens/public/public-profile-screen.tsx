// The advisor's public card (/p/:slug, no account needed): a big WhatsApp button, the QR code of
// the same link, and snippets to put the button on the advisor's own website.
import { useEffect } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { LoadingState } from '../../components/LoadingState';
import { useI18n } from '../../i18n/i18n-context';
import { enc } from '../../lib/api-client';
import type { PublicCta } from '../../lib/api-types';
import { initials } from '../../lib/format';
import { displayPhone } from '../../lib/phone-input';
import { useResource } from '../../lib/use-resource';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function PublicProfileScreen({ slug }: { slug: string }) {
  const { t } = useI18n();
  const cta = useResource<PublicCta>(`/api/public/advisors/${enc(slug)}/whatsapp`);
  const name = cta.data?.name ?? null;

  useEffect(() => {
    document.title = name ? `${name} · WhatsApp` : t('public.pageTitle');
  }, [name, t]);

  const notFound = cta.error?.status === 404;
  const origin = window.location.origin;
  const base = `/api/public/advisors/${enc(slug)}/whatsapp`;
  // Every visitor-facing link goes through the counting redirect (`/go`), which answers with the
  // wa.me link; the wa.me link itself stays readable in data-whatsapp-url.
  const linkSnippet = cta.data
    ? `<a href="${escapeHtml(cta.data.clickUrl)}" data-whatsapp-url="${escapeHtml(cta.data.url)}" target="_blank" rel="noopener">${escapeHtml(t('public.cta'))}</a>`
    : '';
  const scriptSnippet = `<script src="${origin}/embed.js" data-advisor="${escapeHtml(slug)}" async></script>`;

  return (
    <div className="public-page">
      <div className="auth-lang">
        <LanguageSwitch />
      </div>
      <main className="public-card">
        {cta.loading && !cta.data ? (
          <LoadingState />
        ) : notFound ? (
          <div className="public-unavailable" data-testid="public-unavailable">
            <span className="brand-mark brand-mark-large" aria-hidden="true">
              <Icon name="leaf" size={28} />
            </span>
            <h1>{t('public.unavailable')}</h1>
            <p className="muted">{t('public.unavailableText')}</p>
          </div>
        ) : cta.error ? (
          <ErrorNotice error={cta.error} onRetry={cta.reload} />
        ) : cta.data ? (
          <>
            <span className="avatar avatar-large" aria-hidden="true">
              {initials(name ?? '·')}
            </span>
            <h1>{name ?? t('public.defaultName')}</h1>
            <p className="muted">{t('public.intro')}</p>
            <a
              className="btn btn-whatsapp btn-huge"
              href={`${base}/go`}
              target="_blank"
              rel="noopener noreferrer"
              data-whatsapp-url={cta.data.url}
              data-testid="whatsapp-cta"
            >
              <Icon name="whatsapp" size={26} /> {t('public.cta')}
            </a>
            <p className="public-phone">{displayPhone(cta.data.phone)}</p>
            {cta.data.message && (
              <p className="public-message">{t('public.messageNote', { message: cta.data.message })}</p>
            )}
            <figure className="public-qr">
              <img src={`${base}/qr.svg`} alt={t('public.qrAlt')} width={200} height={200} />
              <figcaption>{t('public.qrCaption')}</figcaption>
              {/* PNG for print shops and card designers that cannot take SVG. */}
              <p className="public-qr-downloads">
                <a href={`${base}/qr.png`} download={`whatsapp-qr-${slug}.png`} data-testid="qr-png">
                  {t('public.qrPng')}
                </a>
                <a href={`${base}/qr.svg`} download={`whatsapp-qr-${slug}.svg`} data-testid="qr-svg">
                  {t('public.qrSvg')}
                </a>
              </p>
            </figure>
            <details className="embed">
              <summary>{t('public.embedTitle')}</summary>
              <p className="field-hint">{t('public.embedLink')}</p>
              <pre className="snippet">
                <code>{linkSnippet}</code>
              </pre>
              <CopyButton text={linkSnippet} className="btn btn-secondary btn-small" />
              <p className="field-hint">{t('public.embedScript')}</p>
              <pre className="snippet">
                <code data-testid="embed-script">{scriptSnippet}</code>
              </pre>
              <CopyButton text={scriptSnippet} className="btn btn-secondary btn-small" />
            </details>
          </>
        ) : null}
      </main>
    </div>
  );
}
