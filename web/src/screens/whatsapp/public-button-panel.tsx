// The advisor's public WhatsApp button seen from the dashboard: whether visitors see it now (and
// why not), the public page, the QR code to download for print, and the snippets that put the
// button on the advisor's own website. The download and embed tools are the advisor's, so they
// live here; the public page shows a client only the button and the QR to scan.
import { CopyButton } from '../../components/CopyButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Link } from '../../components/Link';
import { useI18n } from '../../i18n/i18n-context';
import { enc } from '../../lib/api-client';
import type { PublicCta, WhatsappConfig } from '../../lib/api-types';
import { qrImagePath } from '../../lib/qr-image';
import { useResource } from '../../lib/use-resource';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function PublicButtonPanel({ config, slug }: { config: WhatsappConfig; slug: string }) {
  const { lang, t } = useI18n();
  // The server's rule (public-button-state.ts): the same one its public routes answer by.
  const reason = config.publicButton.hiddenReason;
  const base = `/api/public/advisors/${enc(slug)}/whatsapp`;
  // The public answer may be cached for a minute by the browser; the advisor who just changed the
  // message in Settings expects to see the new one here.
  const cta = useResource<PublicCta>(reason ? null : base, 'no-store');

  const linkSnippet = cta.data
    ? `<a href="${escapeHtml(cta.data.clickUrl)}" data-whatsapp-url="${escapeHtml(cta.data.url)}" target="_blank" rel="nofollow noopener">${escapeHtml(t('public.cta'))}</a>`
    : '';
  // In the language of the <a> snippet beside it (embed.js would otherwise pick the advisor's
  // settings language, which may not be the one the advisor reads the dashboard in).
  const scriptSnippet = `<script src="${window.location.origin}/embed.js" data-advisor="${escapeHtml(slug)}" data-lang="${lang}" async></script>`;

  return (
    <section className="card stack" aria-labelledby="public-title" data-testid="public-button-panel">
      <h2 id="public-title">{t('wa.publicTitle')}</h2>
      <p className="muted">{t('wa.publicText')}</p>
      {reason && (
        <p className="notice notice-info" data-testid="public-button-hidden">
          {t(`wa.publicHidden.${reason}`)}{' '}
          {reason === 'cta_disabled' && <Link href="/settings">{t('wa.publicHidden.toSettings')}</Link>}
        </p>
      )}
      <p>
        <Link href={`/p/${enc(slug)}`} className="btn btn-ghost">
          {t('wa.publicOpen')}
        </Link>
      </p>
      {cta.error && cta.error.status !== 404 && <ErrorNotice error={cta.error} onRetry={cta.reload} />}
      {cta.data && (
        <>
          <div className="public-share-qr">
            <img
              src={qrImagePath(base, 'svg', cta.data.url)}
              alt={t('public.qrAlt')}
              width={120}
              height={120}
            />
            {/* PNG for print shops and card designers that cannot take SVG. */}
            <p className="public-qr-downloads">
              <a
                href={qrImagePath(base, 'png', cta.data.url)}
                download={`whatsapp-qr-${slug}.png`}
                data-testid="qr-png"
              >
                {t('public.qrPng')}
              </a>
              <a
                href={qrImagePath(base, 'svg', cta.data.url)}
                download={`whatsapp-qr-${slug}.svg`}
                data-testid="qr-svg"
              >
                {t('public.qrSvg')}
              </a>
            </p>
          </div>
          <details className="embed">
            <summary>{t('public.embedTitle')}</summary>
            <p className="field-hint">{t('public.embedLink')}</p>
            <pre className="snippet">
              <code data-testid="embed-link">{linkSnippet}</code>
            </pre>
            <CopyButton text={linkSnippet} className="btn btn-secondary btn-small" />
            <p className="field-hint">{t('public.embedScript')}</p>
            <pre className="snippet">
              <code data-testid="embed-script">{scriptSnippet}</code>
            </pre>
            <CopyButton text={scriptSnippet} className="btn btn-secondary btn-small" />
          </details>
        </>
      )}
    </section>
  );
}
