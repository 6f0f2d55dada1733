import { describe, expect, it } from 'vitest';
import type { ArrivalCheck } from '../RunResult.js';
import { intendedArrivalsText } from './intendedArrivalsText.js';

const check = (sendsPass: boolean, intendedPass: boolean | null): ArrivalCheck => ({
  samples: 900, ksStatistic: sendsPass ? 0.02 : 0.09, pValue: sendsPass ? 0.4 : 0.0001, passed: sendsPass, note: '',
  ...(intendedPass === null ? {} : { intended: { samples: 905, ksStatistic: intendedPass ? 0.015 : 0.08,
    pValue: intendedPass ? 0.72 : 0.002, passed: intendedPass } }),
});

describe('intendedArrivalsText', () => {
  it('names the sender when only the sends fail, and the generator when the intended times fail too', () => {
    expect(intendedArrivalsText(check(false, true)))
      .toBe('intended times: KS D=0.0150 p=0.720 over 905 gaps — Poisson, so the sends drifted from the intended times (see send_lag)');
    expect(intendedArrivalsText(check(false, false)))
      .toBe('intended times: KS D=0.0800 p=0.002 over 905 gaps — NOT Poisson either: the generated times or the rates are off');
    expect(intendedArrivalsText(check(true, true))).toBe('intended times: KS D=0.0150 p=0.720 over 905 gaps — Poisson');
    expect(intendedArrivalsText(check(true, false))).toBe('intended times: KS D=0.0800 p=0.002 over 905 gaps — NOT Poisson');
  });

  it('says nothing for a result written before the intended times were tested', () => {
    expect(intendedArrivalsText(check(false, null))).toBe('');
  });
});
