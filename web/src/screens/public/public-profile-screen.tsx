// The advisor's public card (/p/:slug, no account needed): a big WhatsApp button and the QR code
// of the same link, for a visitor on a computer. The QR downloads and the snippets for the
// advisor's own website are the advisor's tools: the dashboard's WhatsApp screen has them.
import { useEffect } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { LoadingState } from '../../components/LoadingState';
import { useI18n } from '../../i18n/i18n-context';
import { enc } from '../../lib/api-client';
import type { PublicCta } from '../../lib/api-types';
import { initials } from '../../lib/format';
import { displayPhone } from '../../lib/phone-input';
import { qrImagePath } from '../../lib/qr-image';
import { useResource } from '../../lib/use-resource';

export function PublicProfileScreen({ slug }: { slug: string }) {
  const { t } = useI18n();
  const cta = useResource<PublicCta>(`/api/public/advisors/${enc(slug)}/whatsapp`);
  const name = cta.data?.name ?? null;

  useEffect(() => {
    document.title = name ? `${name} · WhatsApp` : t('public.pageTitle');
  }, [name, t]);

  const notFound = cta.error?.status === 404;
  const base = `/api/public/advisors/${enc(slug)}/whatsapp`;
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
              rel="nofollow noopener noreferrer"
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
              <img
                src={qrImagePath(base, 'svg', cta.data.url)}
                alt={t('public.qrAlt')}
                width={200}
                height={200}
              />
              <figcaption>{t('public.qrCaption')}</figcaption>
            </figure>
          </>
        ) : null}
      </main>
    </div>
  );
}
