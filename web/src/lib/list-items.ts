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
