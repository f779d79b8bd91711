// The signed-in frame: brand, navigation (a side bar on wide screens, a menu on phones) with the
// Inbox's unread badge, the live-connection hint, the language switch and sign out, and a banner
// on every screen when the WhatsApp number needs the advisor (link dropped, sends paused).
import { useEffect, useState, type ReactNode } from 'react';
import type { MessageKey } from '../i18n/es';
import { useI18n } from '../i18n/i18n-context';
import { unreadBadgeText, useInboxUnread } from '../lib/inbox-unread';
import { useLiveState } from '../lib/live-events';
import { leaveThen, useLocation } from '../lib/router';
import { useSession } from '../lib/session-context';
import { useWhatsappAttention } from '../lib/whatsapp-attention';
import { Icon, type IconName } from './Icon';
import { LanguageSwitch } from './LanguageSwitch';
import { Link } from './Link';

export const NAV: { href: string; label: MessageKey; icon: IconName }[] = [
  { href: '/whatsapp', label: 'nav.whatsapp', icon: 'whatsapp' },
  { href: '/send', label: 'nav.send', icon: 'send' },
  { href: '/inbox', label: 'nav.inbox', icon: 'inbox' },
  { href: '/messages', label: 'nav.messages', icon: 'list' },
  { href: '/appointments', label: 'nav.appointments', icon: 'calendar' },
  { href: '/templates', label: 'nav.templates', icon: 'template' },
  { href: '/analytics', label: 'nav.analytics', icon: 'chart' },
  { href: '/settings', label: 'nav.settings', icon: 'settings' },
  { href: '/integrations', label: 'nav.integrations', icon: 'key' },
];

export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { path } = useLocation();
  const { user, signOut } = useSession();
  const live = useLiveState();
  const [menuOpen, setMenuOpen] = useState(false);
  const unread = useInboxUnread(path === '/inbox' || path.startsWith('/inbox/'));
  const unreadLabel = t(unread === 1 ? 'nav.unreadOne' : 'nav.unreadMany', { count: unread });
  const attention = useWhatsappAttention(path === '/whatsapp');

  useEffect(() => setMenuOpen(false), [path]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setMenuOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn-icon menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((v) => !v)}
        >
          <Icon name={menuOpen ? 'close' : 'menu'} />
          <span className="visually-hidden">{t('nav.menu')}</span>
          {/* On a phone the Inbox link hides in the menu: a dot on the menu says something waits. */}
          {unread > 0 && !menuOpen && <span className="menu-dot" aria-hidden="true" />}
        </button>
        <Link href="/whatsapp" className="brand" aria-label={t('app.name')}>
          <span className="brand-mark" aria-hidden="true">
            <Icon name="leaf" size={18} />
          </span>
          <span className="brand-name">{t('app.name')}</span>
        </Link>
        <div className="topbar-end">
          <span className={`live-dot live-${live}`} title={t(`live.${live}`)}>
            <span className="visually-hidden">{t(`live.${live}`)}</span>
          </span>
          <LanguageSwitch />
          <span className="user-name" title={user?.email}>
            <Icon name="user" size={16} /> <span>{user?.name}</span>
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => leaveThen(() => void signOut())}
          >
            <Icon name="logout" size={16} />
            <span className="collapse-narrow">{t('auth.signOut')}</span>
          </button>
        </div>
      </header>
      <div className="shell-body">
        <nav id="main-nav" className={`sidenav${menuOpen ? ' open' : ''}`} aria-label={t('nav.label')}>
          <ul>
            {NAV.map((item) => {
              const active = path === item.href || path.startsWith(`${item.href}/`);
              const badge = item.href === '/inbox' && unread > 0;
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    className={active ? 'active' : undefined}
                    aria-current={active ? 'page' : undefined}
                    // Read out as "Bandeja, 2 mensajes sin leer" rather than a bare number.
                    aria-label={badge ? `${t(item.label)}, ${unreadLabel}` : undefined}
                  >
                    <Icon name={item.icon} />
                    <span>{t(item.label)}</span>
                    {badge && (
                      <span className="nav-badge" data-testid="inbox-unread-badge" aria-hidden="true">
                        {unreadBadgeText(unread)}
                      </span>
                    )}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          {attention && (
            <div className="banner banner-alert shell-banner" role="status" data-testid="whatsapp-attention">
              <Icon name="alert" />
              <p>
                {t(`shell.attention.${attention}`)} <Link href="/whatsapp">{t('shell.attention.open')}</Link>
              </p>
            </div>
          )}
          {children}
        </main>
      </div>
    </div>
  );
}

export function PageHeader({
  title,
  intro,
  actions,
}: {
  title: string;
  intro?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {intro && <p className="page-intro">{intro}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
