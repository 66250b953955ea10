// Reads a V8 heap snapshot (`--heapsnapshot-signal`, after a full GC: only live objects): self size by kind
// (strings, code, objects by constructor, arrays...), and the long strings grouped by how they start (module
// sources, source maps and the like show up there). Pure: the snapshot in, tables out.

export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  objects: number;
  /** [kind, bytes, count], largest first */
  byKind: [string, number, number][];
  /** strings longer than 200 characters by their first 60 characters: [start, bytes, count] */
  longStrings: [string, number, number][];
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

function kindOf(type: string, name: string): string {
  if (STRING_TYPES.has(type)) return '(strings)';
  if (type === 'code') return '(compiled code)';
  if (type === 'object') return `object ${name}`;
  if (type === 'array') return `(array) ${name.slice(0, 40)}`;
  return `${type} ${name.slice(0, 40)}`;
}

export function summarizeHeapSnapshot(s: HeapSnapshot, top = 30): HeapSummary {
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const kinds = new Map<string, [number, number]>();
  const long = new Map<string, [number, number]>();
  const add = (m: Map<string, [number, number]>, k: string, bytes: number) => {
    const v = m.get(k) ?? [0, 0];
    v[0] += bytes;
    v[1]++;
    m.set(k, v);
  };
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType] as number] ?? '';
    const name = s.strings[s.nodes[i + iName] as number] ?? '';
    const bytes = s.nodes[i + iSize] as number;
    total += bytes;
    add(kinds, kindOf(type, name), bytes);
    if (type === 'string' && name.length > 200) add(long, name.slice(0, 60).replace(/\s+/g, ' '), bytes);
  }
  const sorted = (m: Map<string, [number, number]>): [string, number, number][] =>
    [...m]
      .sort((a, b) => b[1][0] - a[1][0])
      .slice(0, top)
      .map(([k, [bytes, count]]) => [k, bytes, count]);
  return { totalBytes: total, objects: s.nodes.length / width, byKind: sorted(kinds), longStrings: sorted(long) };
}
