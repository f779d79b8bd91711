import { describe, expect, it } from 'vitest';

import { builtinTemplateId, parseTemplateId } from './template-id.js';

describe('template ids', () => {
  it('round-trips built-in ids', () => {
    const id = builtinTemplateId('appointment_reminder', 'en');
    expect(id).toBe('builtin:appointment_reminder:en');
    expect(parseTemplateId(id)).toEqual({ kind: 'builtin', key: 'appointment_reminder', language: 'en' });
  });

  it('reads uuids in any case as rows, lower-cased', () => {
    expect(parseTemplateId('7C9E6679-7425-40DE-944B-E07FC1F90AE7')).toEqual({
      kind: 'row',
      id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    });
  });

  it.each([
    '',
    'nope',
    'builtin:nope:es',
    'builtin:follow_up:fr',
    'builtin:follow_up',
    'builtin:follow_up:es:extra',
    ' builtin:follow_up:es',
    '7c9e6679-7425-40de-944b-e07fc1f90ae',
    '7c9e6679-7425-40de-944b-e07fc1f90ae7 ',
    '7c9e6679x7425-40de-944b-e07fc1f90ae7',
    'g c9e6679-7425-40de-944b-e07fc1f90ae7',
  ])('rejects %j', (id) => {
    expect(parseTemplateId(id)).toBeNull();
  });
});
