// The label selector and service name rules of Pekko's bootstrap (docs/agent.md, How it bootstraps).

/** Pekko's default pod-label-selector. */
export const DEFAULT_POD_LABEL_SELECTOR = 'app=%s';

/** pod-label-selector with `%s` replaced by the lookup's service name (Pekko formats the first `%s` only). */
export function podLabelSelector(template: string, serviceName: string): string {
  return template.replace('%s', serviceName);
}

/** The default service name: the actor system name lower-cased, with ' ' and '_' turned into '-'. */
export function serviceNameFromActorSystem(actorSystemName: string): string {
  return actorSystemName.toLowerCase().replace(/[ _]/g, '-');
}

/** The API path that lists the pods of a namespace by label selector. */
export function podListPath(namespace: string, selector: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`;
}

/** One term of an equality-based label selector: `k=v` / `k==v` (equals), `k!=v`, `k` (exists), `!k` (absent). */
export type LabelRequirement =
  | { key: string; op: 'equals' | 'notEquals'; value: string }
  | { key: string; op: 'exists' | 'absent' };

// The label syntax the API server accepts: a key is an optional DNS-subdomain prefix and '/' and a name of up to 63
// characters; a value is empty or up to 63 characters; names and values start and end with a letter or digit.
const NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const KEY = new RegExp(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?${NAME}$`);
const VALUE = new RegExp(`^(${NAME})?$`);

/**
 * Parses an equality-based label selector (the form spec.bootstrap.podLabelSelector allows: no spaces, no sets), as
 * the API server reads the labelSelector of Pekko's pod list. An error names the term the API server would refuse.
 */
export function parseLabelSelector(
  selector: string,
): { ok: true; terms: LabelRequirement[] } | { ok: false; error: string } {
  const terms: LabelRequirement[] = [];
  for (const raw of selector.split(',')) {
    const term = raw.trim();
    const m = /^(!?)([^=!]+)(?:(==|=|!=)(.*))?$/.exec(term);
    const bad = {
      ok: false as const,
      error: `"${term}" is not a label requirement (key=value, key!=value, key or !key)`,
    };
    if (!m) return bad;
    const [, not, key = '', op, value = ''] = m;
    if (!KEY.test(key) || (op !== undefined && (not || !VALUE.test(value)))) return bad;
    if (op === undefined) terms.push({ key, op: not ? 'absent' : 'exists' });
    else terms.push({ key, op: op === '!=' ? 'notEquals' : 'equals', value });
  }
  return { ok: true, terms };
}

/** Whether labels satisfy every term (`k!=v` also holds when the label is absent, as in Kubernetes). */
export function matchesLabels(
  terms: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> = {},
): boolean {
  return terms.every((t) => {
    const has = Object.hasOwn(labels, t.key);
    if (t.op === 'equals') return has && labels[t.key] === t.value;
    if (t.op === 'notEquals') return !has || labels[t.key] !== t.value;
    return t.op === 'exists' ? has : !has;
  });
}
