// Kubernetes resource quantities (`cpu: 0.5`, `memory: 1.5Gi`), as the API server reads and stores them, so that a
// value the user wrote one way and the API server stored another is still the same value (docs/operator.md, "What
// unchanged means").
//
// The grammar (the API reference, "Quantity"): a signed decimal number, then a suffix: binary (Ki Mi Gi Ti Pi Ei),
// decimal (n u m "" k M G T P E) or a decimal exponent (e3, E-2). The API server stores a canonical form: the value
// rounded UP to a thousandth (1m), the suffix as large as the value allows with an integer in front, in the format the
// value was written in (binary stays binary while it is a whole multiple of 1024, else it becomes decimal). Measured
// on the local cluster (Kubernetes 1.35): 0.5 -> 500m, 1000m -> 1, 2000 -> 2k, 1.5Gi -> 1536Mi, 0.9Gi ->
// 966367641600m, 1e7 -> 10e6, 0.30000000000000004 -> 301m, 1e-10 -> 1e-3 (the table in quantity.test.ts).
// A string the server was given in an unusual but canonical-enough spelling may be kept as sent ("01", "+1"), which is
// why equality compares values, not strings.

/** A parsed quantity: its value in thousandths (rounded up, away from zero) and the format it was written in. */
export interface Quantity {
  milli: bigint;
  format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
}

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
/** Exponents beyond this are not quantities anyone means; they are compared as text. */
const MAX_EXPONENT = 64;
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE])([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** Parses a quantity given as a string or a JSON number; undefined when it is not one. */
export function parseQuantity(v: unknown): Quantity | undefined {
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (text === undefined) return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, int = '', frac = '', e, exp, suffix = ''] = m;
  if (int === '' && frac === '') return undefined;
  // value = digits / 10^frac.length * 10^exp10 * 2^exp2
  let exp10 = -frac.length;
  let exp2 = 0;
  let format: Quantity['format'] = 'DecimalSI';
  if (e) {
    exp10 += Number(exp);
    format = 'DecimalExponent';
    if (Math.abs(Number(exp)) > MAX_EXPONENT) return undefined;
  } else if (suffix in BINARY_SUFFIX) {
    exp2 = BINARY_SUFFIX[suffix] as number;
    format = 'BinarySI';
  } else {
    exp10 += DECIMAL_SUFFIX[suffix] as number;
  }
  let num = BigInt(int + frac || '0') * 2n ** BigInt(exp2) * 1000n;
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  const milli = (num + den - 1n) / den;
  return { milli: sign === '-' ? -milli : milli, format };
}

/**
 * True when both are the same quantity as the API server stores it (the same value at its 1m precision). When either
 * is not a quantity, the two are compared as they are.
 */
export function sameQuantity(desired: unknown, live: unknown): boolean {
  const d = parseQuantity(desired);
  const l = parseQuantity(live);
  if (!d || !l) return desired === live;
  return d.milli === l.milli;
}

const DECIMAL_BY_EXPONENT = ['m', '', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY_BY_EXPONENT = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** The string the API server stores for a quantity (its canonical form); undefined when it is not one. */
export function canonicalQuantity(v: unknown): string | undefined {
  const q = parseQuantity(v);
  if (!q) return undefined;
  const sign = q.milli < 0n ? '-' : '';
  let n = q.milli < 0n ? -q.milli : q.milli;
  if (n === 0n) return '0';
  if (q.format === 'BinarySI' && n % 1000n === 0n && n >= 1024_000n) {
    n /= 1000n;
    let k = 0;
    while (k < 6 && n % 1024n === 0n) {
      n /= 1024n;
      k++;
    }
    return `${sign}${n}${BINARY_BY_EXPONENT[k]}`;
  }
  // Thousandths up: the largest power of 1000 that leaves a whole number (m, "", k, ... E).
  let k = 0;
  while (k < 7 && n % 1000n === 0n) {
    n /= 1000n;
    k++;
  }
  if (q.format === 'DecimalExponent') return `${sign}${n}${k === 1 ? '' : `e${3 * (k - 1)}`}`;
  return `${sign}${n}${DECIMAL_BY_EXPONENT[k]}`;
}
