import { describe, expect, it } from 'vitest';
import { readPhoneFilter } from './phone-filter.js';

describe('readPhoneFilter', () => {
  it.each([
    ['+34612345678', '+34612345678'],
    ['0034612345678', '+34612345678'],
    ['00 34 612 34 56 78', '+34612345678'],
    [' +52 1 55 1234 5678 ', '+525512345678'],
  ])('reads %j as the whole number %s', (raw, phone) => {
    expect(readPhoneFilter(raw)).toEqual({ phone });
  });

  it.each([
    ['34612345678', '+34612345678', '34612345678'],
    ['5215512345678', '+525512345678', '5215512345678'],
    // A Colombian mobile written nationally, which is also Belgium's +32 1505 7309.
    ['321 505 7309', '+3215057309', '3215057309'],
  ])(
    'reads the digits %j as the whole number %s or the numbers containing them',
    (raw, phone, phoneDigits) => {
      expect(readPhoneFilter(raw)).toEqual({ phone, phoneDigits });
    },
  );

  it.each([
    ['5678', '5678'],
    ['612 34', '61234'],
  ])('reads %j as the digits a number contains', (raw, phoneDigits) => {
    expect(readPhoneFilter(raw)).toEqual({ phoneDigits });
  });

  it('refuses fewer than three digits', () => {
    expect(readPhoneFilter('+3')).toBeNull();
  });
});
