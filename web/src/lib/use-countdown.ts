import { useEffect, useState } from 'react';
import { serverNow } from './server-clock';

/**
 * Whole seconds left until `iso` (0 once passed), by the server's clock (`iso` is the server's
 * deadline), ticking every second; null without a date.
 */
export function useCountdown(iso: string | null | undefined): number | null {
  const target = iso ? new Date(iso).getTime() : NaN;
  const left = () => (Number.isNaN(target) ? null : Math.max(0, Math.ceil((target - serverNow()) / 1000)));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (Number.isNaN(target)) return;
    const timer = setInterval(() => setSeconds(left()), 1_000);
    return () => clearInterval(timer);
  }, [target]);
  return seconds;
}
