/** Lists come as `{ items }` (API.md's convention); a bare array is accepted too. */
export function itemsOf<T>(data: T[] | { items: T[] } | null | undefined): T[] {
  if (!data) return [];
  return Array.isArray(data) ? data : (data.items ?? []);
}

/**
 * `page` appended to `items`, without the ids `items` already holds: a row can be in both when a
 * live event added it while the page was on its way, and the one already shown is kept (live
 * events keep it current). Items without an id are all kept.
 */
export function appendUnique<T>(items: T[], page: T[], idOf: (item: T) => string | undefined): T[] {
  const seen = new Set(items.map(idOf));
  const added = new Set<string>();
  const fresh = page.filter((item) => {
    const id = idOf(item);
    if (id === undefined) return true;
    if (seen.has(id) || added.has(id)) return false;
    added.add(id);
    return true;
  });
  return fresh.length === page.length ? [...items, ...page] : [...items, ...fresh];
}

export interface FoldOptions<T> {
  idOf: (item: T) => string | undefined;
  /** Rows from pages after the first are loaded: they stay, after the fresh first page. */
  keepRest: boolean;
  /** Between a row as shown and as read again; default: as read again. */
  prefer?: (shown: T, fresh: T) => T;
  /**
   * Ids a live event added to the list while the page was on its way: newer than the read, so
   * the page cannot hold them, and they stay where they are shown.
   */
  addedMeanwhile?: ReadonlySet<string>;
}

/**
 * The first page read again, folded into what is shown without emptying the list: what a live
 * stream that opened late (or reconnected) may have missed shows, rows already shown keep their
 * place, and `prefer` keeps a live event that overtook the read (a receipt applied while the page
 * was on its way), `addedMeanwhile` a row it added. Without `keepRest` the fresh page and those
 * rows are the whole list.
 */
export function foldFirstPage<T>(shown: T[], page: T[], options: FoldOptions<T>): T[] {
  const { idOf, keepRest, prefer, addedMeanwhile } = options;
  const shownById = new Map<string, T>();
  for (const item of shown) {
    const id = idOf(item);
    if (id !== undefined) shownById.set(id, item);
  }
  const pageIds = new Set<string>();
  const head = page.map((fresh) => {
    const id = idOf(fresh);
    if (id === undefined) return fresh;
    pageIds.add(id);
    const current = shownById.get(id);
    return current !== undefined && prefer ? prefer(current, fresh) : fresh;
  });
  // A row added meanwhile is newer than the read: shown above every row the page holds, it stays
  // on top, above what the page brings that the list missed; shown lower (a row that newly
  // matches the filters), it goes back in front of the page row it was shown in front of.
  let top: T[] | null = null;
  const before = new Map<string, T[]>();
  let pending: T[] = [];
  for (const item of shown) {
    const id = idOf(item);
    if (id === undefined) continue;
    if (pageIds.has(id)) {
      if (top === null) top = pending;
      else if (pending.length > 0) before.set(id, pending);
      pending = [];
    } else if (addedMeanwhile?.has(id)) pending.push(item);
  }
  // Nothing shown is on the page (a list emptied to load again): nothing to place them against.
  if (top === null) [top, pending] = [pending, []];
  const folded = [...top, ...head.flatMap((item) => [...(before.get(idOf(item) ?? '') ?? []), item])];
  // Rows after the last page row: the end of the list, or among the later pages' rows.
  if (!keepRest) return [...folded, ...pending];
  const moved = new Set([...top, ...[...before.values()].flat()].map(idOf));
  return [
    ...folded,
    ...shown.filter((item) => {
      const id = idOf(item) ?? '';
      return !pageIds.has(id) && !moved.has(id);
    }),
  ];
}
