import { useEffect, useState } from 'react';

/** Whole seconds left until `iso` (0 once passed), ticking every second; null without a date. */
export function useCountdown(iso: string | null | undefined): number | null {
  const target = iso ? new Date(iso).getTime() : NaN;
  const left = () => (Number.isNaN(target) ? null : Math.max(0, Math.ceil((target - Date.now()) / 1000)));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (Number.isNaN(target)) return;
    const timer = setInterval(() => setSeconds(left()), 1_000);
    return () => clearInterval(timer);
  }, [target]);
  return seconds;
}
