import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RateRing } from './RateRing';

const arcs = (rate: number | null) =>
  renderToStaticMarkup(createElement(RateRing, { rate, label: 'Entrega', value: '—' })).match(
    /stroke-dasharray/g,
  )?.length ?? 0;

describe('RateRing', () => {
  it('draws no arc for no rate or a rate of 0: a zero-length dash with round caps is still a dot', () => {
    expect(arcs(null)).toBe(0);
    expect(arcs(0)).toBe(0);
    expect(arcs(0.5)).toBe(1);
  });
});
