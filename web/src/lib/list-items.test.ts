import { describe, expect, it } from 'vitest';
import { foldFirstPage } from './list-items';

interface Row {
  id: string;
  v: number;
}
const row = (id: string, v = 1): Row => ({ id, v });
const ids = (rows: Row[]) => rows.map((r) => r.id);
const idOf = (r: Row) => r.id;

describe('foldFirstPage', () => {
  // Shown newest first: d, c, b from the first page, a from the second.
  const shown = [row('d'), row('c'), row('b'), row('a')];

  it('with one page loaded, the fresh page is the list: new rows on top, gone ones gone', () => {
    const page = [row('e'), row('d', 2), row('b')];
    const out = foldFirstPage(shown.slice(0, 3), page, { idOf, keepRest: false });
    expect(ids(out)).toEqual(['e', 'd', 'b']);
    expect(out[1]?.v).toBe(2);
  });

  it('keeps the rows of later pages after the fresh first page, once each', () => {
    const page = [row('e'), row('d'), row('c')];
    expect(ids(foldFirstPage(shown, page, { idOf, keepRest: true }))).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('lets `prefer` keep what a live event showed while the page was on its way', () => {
    const live = [row('d', 5), row('c', 1)];
    const page = [row('d', 3), row('c', 2)];
    const prefer = (a: Row, b: Row) => (a.v >= b.v ? a : b);
    const out = foldFirstPage(live, page, { idOf, keepRest: false, prefer });
    expect(out.map((r) => r.v)).toEqual([5, 2]);
  });

  it('takes the fresh row when no `prefer` is given', () => {
    const out = foldFirstPage([row('d', 5)], [row('d', 3)], { idOf, keepRest: false });
    expect(out[0]?.v).toBe(3);
  });
});
