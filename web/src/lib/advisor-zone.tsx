// The advisor's time zone (settings.timezone): every time the dashboard shows, and the time the
// Send screen reads, is in it, not in the browser's zone (an advisor travelling, or a computer
// set to another zone, saw appointment times an hour or more off what their clients were told).
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context';
import type { WhatsappConfig } from './api-types';
import { formatDate, formatDateTime, formatShort, formatTime } from './format';
import { serverNow } from './server-clock';
import { useSession } from './session-context';
import { useResource } from './use-resource';

interface AdvisorZone {
  /** undefined until the settings load (or if they cannot): the browser's zone meanwhile. */
  timeZone: string | undefined;
  /** After the settings are saved with another zone. */
  setTimeZone: (zone: string) => void;
}

const ZoneContext = createContext<AdvisorZone>({ timeZone: undefined, setTimeZone: () => undefined });

function usable(zone: string | null | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

// The last zone seen, so a reload shows times in it at once instead of switching when the
// settings arrive. One per advisor: under a single key, the next advisor signing in on the same
// browser saw the previous one's zone until their own settings arrived.
const LEGACY_STORAGE_KEY = 'ww.timezone';

export function zoneStorageKey(userId: string): string {
  return `ww.timezone.${userId}`;
}

function remembered(userId: string | undefined): string | null {
  if (!userId) return null;
  try {
    return localStorage.getItem(zoneStorageKey(userId));
  } catch {
    return null;
  }
}

export function AdvisorZoneProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const userId = user?.id;
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const [saved, setSaved] = useState<string | null>(null);
  const timeZone = usable(saved ?? config.data?.settings.timezone ?? remembered(userId));
  useEffect(() => {
    try {
      // Whose zone the old shared key held is unknown: it is nobody's to use.
      localStorage.removeItem(LEGACY_STORAGE_KEY);
      if (timeZone && userId) localStorage.setItem(zoneStorageKey(userId), timeZone);
    } catch {
      /* not remembered */
    }
  }, [timeZone, userId]);
  const value = useMemo(() => ({ timeZone, setTimeZone: setSaved }), [timeZone]);
  return <ZoneContext.Provider value={value}>{children}</ZoneContext.Provider>;
}

export function useAdvisorZone(): AdvisorZone {
  return useContext(ZoneContext);
}

/** The format.ts helpers bound to the advisor's language and zone. */
export function useDates() {
  const { locale } = useI18n();
  const { timeZone } = useAdvisorZone();
  return useMemo(
    () => ({
      timeZone,
      dateTime: (iso: string | null | undefined) => formatDateTime(iso, locale, timeZone),
      date: (iso: string, options?: Intl.DateTimeFormatOptions) => formatDate(iso, locale, options, timeZone),
      time: (iso: string | null | undefined) => formatTime(iso, locale, timeZone),
      // "Today" by the server's clock: a computer hours off dated a message of minutes ago by a
      // weekday (or yesterday's by its time).
      short: (iso: string | null | undefined) => formatShort(iso, locale, new Date(serverNow()), timeZone),
    }),
    [locale, timeZone],
  );
}
