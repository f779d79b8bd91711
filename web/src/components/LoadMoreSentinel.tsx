// Infinite scroll: when this element comes near the viewport, the next page loads. A button is
// offered too, for keyboards and for browsers without IntersectionObserver.
import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/i18n-context';

/** `count` (items shown) re-arms the observer, so a page that still leaves it visible loads the next. */
export function LoadMoreSentinel({
  onVisible,
  loading,
  count,
}: {
  onVisible: () => void;
  loading: boolean;
  count: number;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(onVisible);
  latest.current = onVisible;
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((e) => e.isIntersecting) && latest.current(),
      { rootMargin: '300px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [count, loading]);
  return (
    <div ref={ref} className="load-more">
      <button type="button" className="btn btn-ghost btn-small" onClick={onVisible} disabled={loading}>
        {loading ? t('common.loading') : t('common.loadMore')}
      </button>
    </div>
  );
}
