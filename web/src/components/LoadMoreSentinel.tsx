// Infinite scroll: when this element comes near the viewport, the next page loads. A button is
// offered too, for keyboards and for browsers without IntersectionObserver. When the next page
// failed, it says so with a Retry instead, and loads nothing by itself until the advisor asks.
import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { ErrorNotice } from './ErrorNotice';

/** `count` (items shown) re-arms the observer, so a page that still leaves it visible loads the next. */
export function LoadMoreSentinel({
  onVisible,
  loading,
  count,
  error,
}: {
  onVisible: () => void;
  loading: boolean;
  count: number;
  /** The list's error: the next page failed (re-arming on it would retry in a loop). */
  error: unknown;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(onVisible);
  latest.current = onVisible;
  useEffect(() => {
    const el = ref.current;
    if (!el || error || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((e) => e.isIntersecting) && latest.current(),
      { rootMargin: '300px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [count, loading, error]);
  if (error && !loading) {
    return (
      <div className="load-more">
        <ErrorNotice error={error} onRetry={onVisible} />
      </div>
    );
  }
  return (
    <div ref={ref} className="load-more">
      <button type="button" className="btn btn-ghost btn-small" onClick={onVisible} disabled={loading}>
        {loading ? t('common.loading') : t('common.loadMore')}
      </button>
    </div>
  );
}
