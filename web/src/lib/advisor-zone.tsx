// The advisor's time zone (settings.timezone): every time the dashboard shows, and the time the
// Send screen reads, is in it, not in the browser's zone (an advisor travelling, or a computer
// set to another zone, saw appointment times an hour or more off what their clients were told).
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context';
import type { WhatsappConfig } from './api-types';
import { formatDate, formatDateTime, formatShort, formatTime } from './format';
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
// settings arrive.
const STORAGE_KEY = 'ww.timezone';

function remembered(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function AdvisorZoneProvider({ children }: { children: ReactNode }) {
  const config = useResource<WhatsappConfig>('/api/whatsapp/config');
  const [saved, setSaved] = useState<string | null>(null);
  const timeZone = usable(saved ?? config.data?.settings.timezone ?? remembered());
  useEffect(() => {
    try {
      if (timeZone) localStorage.setItem(STORAGE_KEY, timeZone);
    } catch {
      /* not remembered */
    }
  }, [timeZone]);
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
      short: (iso: string | null | undefined) => formatShort(iso, locale, new Date(), timeZone),
    }),
    [locale, timeZone],
  );
}
