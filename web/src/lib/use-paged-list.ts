// A cursor-paginated list ({ items, nextCursor }): the first page when `path` changes, the next
// one on loadMore(), setItems() so live events can patch rows in place, and refresh() to read the
// first page again without emptying the list (after the live stream (re)opens). A page never adds
// an id the list already holds (a live event may have put that row there first), and a first page
// never takes off a row a live event added while it was on its way (it was read before that row).
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { api, ApiError, withQuery } from './api-client';
import type { Page } from './api-types';
import { appendUnique, foldFirstPage } from './list-items';

export interface PagedList<T> {
  items: T[];
  setItems: Dispatch<SetStateAction<T[]>>;
  loading: boolean;
  error: ApiError | null;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  refresh: (options?: RefreshOptions<T>) => void;
}

export interface PagedListOptions<T> {
  /** Rows per page. */
  limit?: number;
  /** What identifies a row (so a page never repeats one already shown); default: its `id`. */
  idOf?: (item: T) => string | undefined;
}

export interface RefreshOptions<T> {
  /** Between a row as shown and as read again; default: as read again. */
  prefer?: (shown: T, fresh: T) => T;
}

type Mode<T> = { kind: 'replace' } | { kind: 'append' } | ({ kind: 'refresh' } & RefreshOptions<T>);

const idOfItem = (item: unknown) => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
};

export function usePagedList<T>(
  path: string,
  query: Record<string, string>,
  { limit = 50, idOf: idOfOption }: PagedListOptions<T> = {},
): PagedList<T> {
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
  // Pages folded in since the first: a refresh keeps the rows of later pages.
  const pages = useRef(0);
  // While a first page is on its way (a load or a refresh): the ids live events add meanwhile.
  // The page may have been read before they existed, and must not take them off the list again.
  const addedMeanwhile = useRef<Set<string> | null>(null);
  // The latest, read when needed: an inline function is a new one each render.
  const idOfRow = useRef<(item: T) => string | undefined>(idOfItem);
  idOfRow.current = idOfOption ?? idOfItem;

  const setLiveItems: Dispatch<SetStateAction<T[]>> = useCallback((action) => {
    // Taken now, not when React runs the updater: the refresh may land in between, and its
    // fold (queued after this) must still see what this adds.
    const meanwhile = addedMeanwhile.current;
    setItems((prev) => {
      const updated = typeof action === 'function' ? action(prev) : action;
      if (meanwhile) {
        const idOf = idOfRow.current;
        const had = new Set(prev.map(idOf));
        for (const item of updated) {
          const id = idOf(item);
          if (id !== undefined && !had.has(id)) meanwhile.add(id);
        }
      }
      return updated;
    });
  }, []);

  const fetchPage = useCallback(
    async (after: string | null, mode: Mode<T>) => {
      const mine = ++generation.current;
      addedMeanwhile.current = mode.kind === 'append' ? null : new Set();
      busy.current = true;
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<Page<T>>(withQuery(path, { ...query, limit, cursor: after }));
        if (mine !== generation.current) return;
        const meanwhile = addedMeanwhile.current ?? undefined;
        addedMeanwhile.current = null;
        const idOf = idOfRow.current;
        if (mode.kind === 'refresh') {
          const keepRest = pages.current > 1;
          setItems((prev) =>
            foldFirstPage(prev, page.items, {
              idOf,
              keepRest,
              prefer: mode.prefer,
              addedMeanwhile: meanwhile,
            }),
          );
          // Later pages stay loaded, and so does the cursor that follows them.
          if (keepRest) return;
        } else if (mode.kind === 'replace') {
          // The list was emptied: what shows besides the page came live, while it was read.
          setItems((prev) =>
            foldFirstPage(prev, page.items, { idOf, keepRest: false, addedMeanwhile: meanwhile }),
          );
        } else {
          setItems((prev) => appendUnique(prev, page.items, idOf));
        }
        pages.current = mode.kind === 'append' ? pages.current + 1 : 1;
        next.current = page.nextCursor;
        setCursor(page.nextCursor);
      } catch (err) {
        // A refresh that fails leaves what is shown as it is; the next (re)open tries again.
        if (mine === generation.current && !(mode.kind === 'refresh' && pages.current > 0))
          setError(err instanceof ApiError ? err : new ApiError(0, 'network_error', String(err)));
      } finally {
        if (mine === generation.current) {
          addedMeanwhile.current = null;
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
    pages.current = 0;
    void fetchPage(null, { kind: 'replace' });
  }, [fetchPage, version]);

  // Also after a page failed: a call is the advisor asking again (Retry, "older messages"). The
  // infinite-scroll sentinel, which would ask again by itself, stops observing on an error.
  const loadMore = useCallback(() => {
    if (busy.current || !next.current) return;
    void fetchPage(next.current, { kind: 'append' });
  }, [fetchPage]);

  return {
    items,
    setItems: setLiveItems,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore,
    reload: () => setVersion((v) => v + 1),
    refresh: (options = {}) => void fetchPage(null, { kind: 'refresh', ...options }),
  };
}
