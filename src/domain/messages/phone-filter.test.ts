import { describe, expect, it } from 'vitest';
import { readPhoneFilter } from './phone-filter.js';

describe('readPhoneFilter', () => {
  it.each([
    ['+34612345678', '+34612345678'],
    ['34612345678', '+34612345678'],
    ['0034612345678', '+34612345678'],
    ['00 34 612 34 56 78', '+34612345678'],
    [' +52 1 55 1234 5678 ', '+525512345678'],
  ])('reads %j as the whole number %s', (raw, phone) => {
    expect(readPhoneFilter(raw)).toEqual({ phone });
  });

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
