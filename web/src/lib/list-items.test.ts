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

  it('keeps a row a live event added while the page was on its way, where it was shown', () => {
    // `n` arrived live on top and `m` between c and b; the page was read before either existed.
    const live = [row('n'), row('d'), row('c'), row('m'), row('b')];
    const page = [row('d'), row('c'), row('b')];
    const added = new Set(['n', 'm']);
    expect(ids(foldFirstPage(live, page, { idOf, keepRest: false, addedMeanwhile: added }))).toEqual([
      'n',
      'd',
      'c',
      'm',
      'b',
    ]);
  });

  it('keeps a row added meanwhile on top of one the page brings that the list missed', () => {
    const live = [row('n'), row('d'), row('c')];
    const page = [row('e'), row('d'), row('c')];
    const out = foldFirstPage(live, page, { idOf, keepRest: false, addedMeanwhile: new Set(['n']) });
    expect(ids(out)).toEqual(['n', 'e', 'd', 'c']);
  });

  it('a list emptied to load again keeps what came live meanwhile, on top', () => {
    const out = foldFirstPage([row('n')], [row('e'), row('d')], {
      idOf,
      keepRest: false,
      addedMeanwhile: new Set(['n']),
    });
    expect(ids(out)).toEqual(['n', 'e', 'd']);
  });

  it('drops a shown row the page no longer holds unless it was added meanwhile', () => {
    // `x` was shown before the read began (it no longer matches): it goes; `n` stays.
    const live = [row('n'), row('x'), row('d')];
    const page = [row('d')];
    const out = foldFirstPage(live, page, { idOf, keepRest: false, addedMeanwhile: new Set(['n']) });
    expect(ids(out)).toEqual(['n', 'd']);
  });

  it('with later pages loaded, a row added meanwhile keeps its place among them, once', () => {
    const live = [row('n'), row('d'), row('c'), row('b'), row('k'), row('a')];
    const page = [row('d'), row('c')];
    const out = foldFirstPage(live, page, { idOf, keepRest: true, addedMeanwhile: new Set(['n', 'k']) });
    expect(ids(out)).toEqual(['n', 'd', 'c', 'b', 'k', 'a']);
  });

  it('a row the page holds is not repeated for having been added meanwhile', () => {
    const out = foldFirstPage([row('n', 1), row('d')], [row('n', 2), row('d')], {
      idOf,
      keepRest: false,
      addedMeanwhile: new Set(['n']),
    });
    expect(out.map((r) => `${r.id}${r.v}`)).toEqual(['n2', 'd1']);
  });
});
