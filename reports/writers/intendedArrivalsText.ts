import type { ArrivalCheck } from '../RunResult.js';

/**
 * The arrival test of the intended times, as the clause the text and HTML reports put after the
 * test of the actual sends; '' for results written before it was kept. It says which of the two
 * failed: the generator (the intended times are not Poisson either) or the sender (only the sends).
 */
export function intendedArrivalsText(arrivals: ArrivalCheck): string {
  const t = arrivals.intended;
  if (t === undefined) return '';
  const verdict = t.passed
    ? arrivals.passed ? 'Poisson' : 'Poisson, so the sends drifted from the intended times (see send_lag)'
    : arrivals.passed ? 'NOT Poisson' : 'NOT Poisson either: the generated times or the rates are off';
  return `intended times: KS D=${t.ksStatistic.toFixed(4)} p=${t.pValue.toFixed(3)} over ${t.samples} gaps — ${verdict}`;
}
