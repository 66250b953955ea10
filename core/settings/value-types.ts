// The kinds of value a setting holds, each with its parser (the text of an env var), how it is written, and how the
// docs name it. Pure. Parse errors say what the value must be; the agent prefixes the variable's name.

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** What a rendered value is written for: a Pekko system property, or an env var (for the agent). */
export type Written = 'property' | 'env';

export interface ValueType<T> {
  /** For the docs: `duration`, `integer 1-65535`, ... */
  readonly doc: string;
  /** Parses trimmed, non-empty text. */
  parse(text: string): Parsed<T>;
  /** A value as the docs show it (defaults). */
  show(value: T): string;
  /** A value the operator renders, as text: numbers in decimal, booleans `true`/`false` unless the type says. */
  write(value: string | number | boolean, as: Written): string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(error: string): Parsed<T> => ({ ok: false, error });
const plain = (value: string | number | boolean): string => String(value);

export const text: ValueType<string> = { doc: 'string', parse: ok, show: (v) => v, write: plain };

/** A host name or IP: no spaces, '/' or '@' (it goes into node addresses `pekko://system@host:port`). */
export const host: ValueType<string> = {
  doc: 'host',
  parse: (t) => (/[\s/@]/.test(t) ? bad(`is not a host name or IP: ${JSON.stringify(t)}`) : ok(t)),
  show: (v) => v,
  write: plain,
};

/** Text that must match a pattern; `rule` says it in words. */
export function matching(pattern: RegExp, rule: string): ValueType<string> {
  return {
    doc: 'string',
    parse: (t) => (pattern.test(t) ? ok(t) : bad(`must be ${rule}`)),
    show: (v) => v,
    write: plain,
  };
}

/** A comma-separated list; blank items are dropped. */
export const list: ValueType<readonly string[]> = {
  doc: 'comma-separated list',
  parse: (t) =>
    ok(
      t
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  show: (v) => v.join(','),
  write: plain,
};

export function integer(min: number, max: number): ValueType<number> {
  return {
    doc: `integer ${min}-${max}`,
    parse: (t) =>
      /^\d+$/.test(t) && Number(t) >= min && Number(t) <= max
        ? ok(Number(t))
        : bad(`must be an integer from ${min} to ${max}, got ${JSON.stringify(t)}`),
    show: String,
    write: plain,
  };
}

export function decimal(min: number, max: number): ValueType<number> {
  return {
    doc: `number ${min}-${max}`,
    parse: (t) =>
      /^\d+(\.\d+)?$/.test(t) && Number(t) >= min && Number(t) <= max
        ? ok(Number(t))
        : bad(`must be a number from ${min} to ${max}, got ${JSON.stringify(t)}`),
    show: String,
    write: plain,
  };
}

const UNITS: Record<string, number> = { ms: 1, millis: 1, milliseconds: 1, s: 1000, second: 1000, seconds: 1000 };
Object.assign(UNITS, { m: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000 });

/** HOCON-style duration in milliseconds: `5s`, `500ms`, `1 m`, `5 seconds`; a bare number is milliseconds. */
export function parseDuration(t: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(t);
  if (!m) return undefined;
  const unit = m[2] === '' ? 1 : UNITS[m[2] as string];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** A duration, held in milliseconds; `minMs` is the shortest accepted. */
export function duration(minMs = 1): ValueType<number> {
  return {
    doc: 'duration',
    parse: (t) => {
      const ms = parseDuration(t);
      return ms !== undefined && ms >= minMs
        ? ok(ms)
        : bad(`must be a duration of at least ${minMs}ms like 5s or 500ms, got ${JSON.stringify(t)}`);
    },
    show: (ms) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`),
    write: plain,
  };
}

/**
 * `true|false|on|off|yes|no`. Written `true`/`false`, or `on`/`off` as a system property when `spelling` says so
 * (Pekko's reference.conf writes some switches that way, and the rendered Deployment keeps its spelling).
 */
export function boolean(spelling: 'true-false' | 'on-off' = 'true-false'): ValueType<boolean> {
  return {
    doc: 'boolean',
    parse: (t) => {
      const v = t.toLowerCase();
      if (['true', 'on', 'yes'].includes(v)) return ok(true);
      if (['false', 'off', 'no'].includes(v)) return ok(false);
      return bad(`must be true or false (or on/off, yes/no), got ${JSON.stringify(t)}`);
    },
    show: String,
    write: (v, as) =>
      as === 'property' && spelling === 'on-off' && typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v),
  };
}

/** One of a few words, matched without regard to case; the value is lower-cased. */
export function oneOf<W extends string>(words: readonly W[]): ValueType<W> {
  return {
    doc: `one of ${words.join(', ')}`,
    parse: (t) => {
      const v = t.toLowerCase();
      return (words as readonly string[]).includes(v) ? ok(v as W) : bad(`must be one of ${words.join(', ')}`);
    },
    show: (v) => v,
    write: plain,
  };
}
