import { describe, expect, it } from 'vitest';
import { quotedFragments, variableNames } from './template-problems';

describe('template problems', () => {
  it('quotes each malformed fragment once, as written, with no extra braces', () => {
    expect(quotedFragments(['{Mal formado}', '{x', '{x'])).toBe('«{Mal formado}», «{x»');
    expect(quotedFragments([])).toBeNull();
    expect(quotedFragments(undefined)).toBeNull();
  });

  it('shows unknown variable names the way they are written in a template', () => {
    expect(variableNames(['otra', 'codigo'])).toBe('{otra}, {codigo}');
    expect(variableNames('otra')).toBeNull();
  });
});
