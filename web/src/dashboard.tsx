// The advisor's side: the sign-in pages when signed out, the shell with one screen per path when
// signed in.
import { useEffect, type ReactNode } from 'react';
import { AppShell } from './components/AppShell';
import { LoadingState } from './components/LoadingState';
import { useI18n } from './i18n/i18n-context';
import { AdvisorZoneProvider } from './lib/advisor-zone';
import { LiveEventsProvider } from './lib/live-events';
import { match, navigate, useLocation } from './lib/router';
import { safeNextPath } from './lib/safe-next';
import { useSession } from './lib/session-context';
import { AnalyticsScreen } from './screens/analytics/analytics-screen';
import { AppointmentsScreen } from './screens/appointments/appointments-screen';
import { AuthScreen } from './screens/auth/auth-screen';
import { InboxScreen } from './screens/inbox/inbox-screen';
import { IntegrationsScreen } from './screens/integrations/integrations-screen';
import { MessagesScreen } from './screens/messages/messages-screen';
import { SendScreen } from './screens/send/send-screen';
import { SettingsScreen } from './screens/settings/settings-screen';
import { TemplateEditorScreen } from './screens/templates/template-editor-screen';
import { TemplatesScreen } from './screens/templates/templates-screen';
import { WhatsappScreen } from './screens/whatsapp/whatsapp-screen';

const AUTH_PATHS = ['/sign-in', '/sign-up'];

function screenFor(path: string): ReactNode {
  const inbox = match('/inbox/:phone', path);
  const template = match('/templates/:id', path);
  if (path === '/whatsapp') return <WhatsappScreen />;
  if (path === '/send') return <SendScreen />;
  if (path === '/inbox' || inbox) return <InboxScreen phone={inbox?.phone ?? null} />;
  if (path === '/messages') return <MessagesScreen />;
  if (path === '/appointments') return <AppointmentsScreen />;
  if (path === '/templates') return <TemplatesScreen />;
  if (template)
    return <TemplateEditorScreen id={!template.id || template.id === 'new' ? null : template.id} />;
  if (path === '/analytics') return <AnalyticsScreen />;
  if (path === '/settings') return <SettingsScreen />;
  if (path === '/integrations') return <IntegrationsScreen />;
  return null;
}

export function Dashboard() {
  const { user, checking, signedOutByUser } = useSession();
  const { path } = useLocation();
  const { t } = useI18n();
  const onAuthPage = AUTH_PATHS.includes(path);
  const screen = screenFor(path);
  const known = screen !== null;

  // The tab reads in the dashboard's language too (index.html can only say it in Spanish).
  useEffect(() => {
    document.title = t('app.name');
  }, [t]);

  useEffect(() => {
    if (checking) return;
    if (!user && !onAuthPage) {
      // The query too: a link such as /send?to=…&name=… opens filled in once signed in.
      const asked = path + window.location.search;
      const next = path !== '/' && known && !signedOutByUser ? `?next=${encodeURIComponent(asked)}` : '';
      navigate(`/sign-in${next}`, { replace: true });
    } else if (user && (onAuthPage || !known)) {
      const next = safeNextPath(new URLSearchParams(window.location.search).get('next'));
      navigate(next ?? '/whatsapp', { replace: true });
    }
  }, [user, checking, signedOutByUser, onAuthPage, known, path]);

  if (checking) return <LoadingState label={t('common.loading')} />;
  if (!user) return onAuthPage ? <AuthScreen mode={path === '/sign-up' ? 'sign-up' : 'sign-in'} /> : null;
  return (
    <LiveEventsProvider>
      <AdvisorZoneProvider>
        <AppShell>{screen}</AppShell>
      </AdvisorZoneProvider>
    </LiveEventsProvider>
  );
}
