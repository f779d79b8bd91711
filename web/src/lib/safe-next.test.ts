import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next';

describe('safeNextPath', () => {
  it('keeps a path of this site, with its query', () => {
    expect(safeNextPath('/integrations')).toBe('/integrations');
    expect(safeNextPath('/inbox/%2B34611222333?x=1')).toBe('/inbox/%2B34611222333?x=1');
  });

  it('refuses what a browser would read as another site, or no path at all', () => {
    for (const next of [
      '/\\evil.example',
      '/\\/evil.example',
      '//evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      'integrations',
      '',
      null,
      undefined,
    ])
      expect(safeNextPath(next), JSON.stringify(next)).toBeNull();
  });
});
