// Chooses the page from the URL: the public profile needs no account; everything else is the
// advisor's dashboard behind sign-in.
import { ToastProvider } from './components/Toaster';
import { I18nProvider } from './i18n/i18n-context';
import { match, useLocation } from './lib/router';
import { SessionProvider } from './lib/session-context';
import { Dashboard } from './dashboard';
import { PublicProfileScreen } from './screens/public/public-profile-screen';

export function App() {
  const { path } = useLocation();
  const publicSlug = match('/p/:slug', path)?.slug;
  return (
    <I18nProvider>
      <ToastProvider>
        {publicSlug ? (
          <PublicProfileScreen slug={publicSlug} />
        ) : (
          <SessionProvider>
            <Dashboard />
          </SessionProvider>
        )}
      </ToastProvider>
    </I18nProvider>
  );
}
