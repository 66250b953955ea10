// JSON with object keys sorted: equal objects give equal text whatever order their keys were built or read in (the
// API server hands objects back with sorted keys). Used for content hashes (operator/controller/apply.ts), status
// comparison and the records the operator keeps in annotations (operator/render/deployment.ts).

/** JSON with object keys sorted and undefined members left out, so equal objects give equal strings. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v instanceof Date ? v.toISOString() : v) ?? 'null';
}
