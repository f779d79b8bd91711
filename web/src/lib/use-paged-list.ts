// A cursor-paginated list ({ items, nextCursor }): the first page when `path` changes, the next
// one on loadMore(), and setItems() so live events can patch rows in place. A page never adds an
// id the list already holds (a live event may have put that row there first).
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { api, ApiError, withQuery } from './api-client';
import type { Page } from './api-types';
import { appendUnique } from './list-items';

export interface PagedList<T> {
  items: T[];
  setItems: Dispatch<SetStateAction<T[]>>;
  loading: boolean;
  error: ApiError | null;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

const idOfItem = (item: unknown) => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
};

export function usePagedList<T>(path: string, query: Record<string, string>, limit = 50): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  const key = withQuery(path, { ...query, limit });
  const generation = useRef(0);
  const busy = useRef(false);
  // The cursor loadMore() uses, set the moment a page lands. The `cursor` state only reaches
  // loadMore() on the next render, and an infinite-scroll observer can call in between: it would
  // fetch the page just appended a second time.
  const next = useRef<string | null>(null);

  const fetchPage = useCallback(
    async (after: string | null, replace: boolean) => {
      const mine = ++generation.current;
      busy.current = true;
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<Page<T>>(withQuery(path, { ...query, limit, cursor: after }));
        if (mine !== generation.current) return;
        setItems((prev) => (replace ? page.items : appendUnique(prev, page.items, idOfItem)));
        next.current = page.nextCursor;
        setCursor(page.nextCursor);
      } catch (err) {
        if (mine === generation.current)
          setError(err instanceof ApiError ? err : new ApiError(0, 'network_error', String(err)));
      } finally {
        if (mine === generation.current) {
          busy.current = false;
          setLoading(false);
        }
      }
    },
    // `key` captures path, query and limit.
    [key],
  );

  useEffect(() => {
    setItems([]);
    setCursor(null);
    next.current = null;
    void fetchPage(null, true);
  }, [fetchPage, version]);

  const loadMore = useCallback(() => {
    if (busy.current || !next.current || error) return;
    void fetchPage(next.current, false);
  }, [error, fetchPage]);

  return {
    items,
    setItems,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore,
    reload: () => setVersion((v) => v + 1),
  };
}
