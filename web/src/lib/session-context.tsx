// Who is signed in (better-auth's session cookie), with sign-in, sign-up and sign-out.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { api, SESSION_LOST } from './api-client';
import type { Session, SessionUser } from './api-types';

interface SessionState {
  user: SessionUser | null;
  /** true until the first get-session answer arrives. */
  checking: boolean;
  /** true after the advisor pressed sign out (rather than the session expiring). */
  signedOutByUser: boolean;
  /** true when a signed-in advisor's session ended under them (expired, signed out elsewhere). */
  sessionEnded: boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signUp: (name: string, email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<SessionUser | null>(null);
  const [checking, setChecking] = useState(true);
  const [signedOutByUser, setSignedOutByUser] = useState(false);
  const [sessionEnded, setSessionEnded] = useState(false);
  // Set while our own sign-out is in flight: the server ends the live-events stream (and answers
  // other requests 401) as soon as the session is gone, which can reach us before the sign-out's
  // own answer. Those are the sign-out we asked for, not a session that ended under the advisor.
  const signingOut = useRef(false);

  const refresh = useCallback(async () => {
    try {
      const session = await api.get<Session | null>('/api/auth/get-session');
      setUser(session?.user ?? null);
      if (session) setSessionEnded(false);
      if (session) setSignedOutByUser(false);
    } catch {
      setUser(null);
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    // A 401 while signed in: the sign-in page says why the advisor landed there.
    const lost = () => {
      if (signingOut.current) return;
      setUser((current) => {
        if (current) setSessionEnded(true);
        return null;
      });
    };
    window.addEventListener(SESSION_LOST, lost);
    return () => window.removeEventListener(SESSION_LOST, lost);
  }, [refresh]);

  const value = useMemo<SessionState>(
    () => ({
      user,
      checking,
      signedOutByUser,
      sessionEnded,
      signIn: async (email, password) => {
        await api.post('/api/auth/sign-in/email', { email, password });
        await refresh();
      },
      signUp: async (name, email, password) => {
        await api.post('/api/auth/sign-up/email', { name, email, password });
        await refresh();
      },
      signOut: async () => {
        signingOut.current = true;
        try {
          await api.post('/api/auth/sign-out', {});
        } finally {
          setSignedOutByUser(true);
          setSessionEnded(false);
          setUser(null);
          signingOut.current = false;
        }
      },
    }),
    [user, checking, signedOutByUser, sessionEnded, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
