// From TLC's exit code and output to a verdict, and from the verdict and the config's
// declaration to ok / not ok.
import type { TlcSummary } from './parse.js';

/** 'vacuous': TLC passed, but an action never fired and the config does not excuse it. */
export type Verdict = 'pass' | 'vacuous' | 'violation' | 'deadlock' | 'liveness' | 'error';
export type Expectation = 'pass' | 'violation';

/**
 * TLC exit codes (stable across 1.7 and 1.8): 0 ok, 10 assumption violated, 11 deadlock,
 * 12 safety violation, 13 liveness or action property, 14 Assert failed, 75–77 evaluation
 * failure, 150–153 parse/config/too large/system error, 255 other.
 */
export function verdictOf(exitCode: number | null, timedOut: boolean, s: TlcSummary): Verdict {
  if (timedOut) return 'error';
  switch (exitCode) {
    case 0:
      return s.distinct !== undefined ? 'pass' : 'error';
    case 11:
      return 'deadlock';
    case 12:
    case 14:
      return 'violation';
    case 13:
      // An action property ([][A]_v) is a safety property, though TLC reports it with 13.
      return s.violation?.kind === 'action' ? 'violation' : 'liveness';
    default:
      return 'error';
  }
}

/** Property ids declared by a config, e.g. "PL1 PL2 deadlock" → ['PL1', 'PL2', 'deadlock']. */
export function propertyIds(declared: string): string[] {
  return declared.split(/[\s,]+/).filter(Boolean);
}

/** A definition proves property `id` when its name is the id or starts with `<id>_`. */
export function namesProperty(name: string, id: string): boolean {
  return name === id || name.startsWith(`${id}_`);
}

/**
 * A passing config must pass. A mutant must fail on what it declares: a violation of a
 * definition named after its property id, a deadlock when it declares `deadlock`, or a
 * liveness failure when every temporal property it checks is named after its id.
 */
export function judge(
  expect: Expectation,
  declared: string,
  verdict: Verdict,
  violated: string | undefined,
  checkedProperties: readonly string[],
): boolean {
  if (expect === 'pass') return verdict === 'pass';
  const ids = propertyIds(declared);
  switch (verdict) {
    case 'deadlock':
      return ids.includes('deadlock');
    case 'violation':
      return violated !== undefined && ids.some((id) => namesProperty(violated, id));
    case 'liveness':
      return checkedProperties.length > 0 && checkedProperties.every((p) => ids.some((id) => namesProperty(p, id)));
    default:
      return false;
  }
}
