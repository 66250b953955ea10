// Validates a ClusterBootstrap with ajv from the same schema as the CRD, plus the CEL rules' TypeScript twins and the
// checks on spec.template that CEL cannot see (template is free-form in the schema). Each problem names the field
// and the fix.
import { Ajv, type ErrorObject } from 'ajv';
import { RULES } from './rules.ts';
import { specSchema } from './schema.ts';
import { APP_CONTAINER, type ClusterBootstrap, type ClusterBootstrapSpec } from './types.ts';

export interface ValidationResult {
  /** The spec with every schema default filled in; present when valid. */
  spec?: ClusterBootstrapSpec;
  /** One line per problem: `spec.field: what is wrong, and the fix`. */
  errors: string[];
}

/** Human hints for pattern errors, where ajv would only print the regular expression. */
const PATTERN_HINTS: Record<string, string> = {
  'spec.actorSystemName': 'use letters, digits, - and _, starting with a letter or digit',
  'spec.serviceName': "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
  'spec.management.portName': 'use lower-case letters, digits and -, at most 15 characters',
  'spec.serviceAccountName': 'use a ServiceAccount name: lower-case letters, digits, - and .',
};

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictTypes: false });
for (const k of [
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
]) {
  ajv.addKeyword(k);
}
const validateSpec = ajv.compile(specSchema);

function fieldOf(e: ErrorObject): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') path.push(String((e.params as { missingProperty: string }).missingProperty));
  return ['spec', ...path].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

function describe(e: ErrorObject): string {
  const field = fieldOf(e);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${field}: is required`;
    case 'type':
      return `${field}: must be ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type)}`;
    case 'enum':
      return `${field}: must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'minimum':
    case 'maximum':
      return `${field}: must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'minLength':
      return `${field}: must not be empty`;
    case 'maxLength':
      return `${field}: must be at most ${String(p.limit)} characters`;
    case 'pattern':
      return `${field}: ${PATTERN_HINTS[field] ?? `must match ${String(p.pattern)}`}`;
    case 'anyOf':
      return `${field}: must be a whole number or a percentage such as 25%`;
    default:
      return `${field}: ${e.message ?? 'is invalid'}`;
  }
}

function at(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** int-or-string fields: a string must be a percentage (the CRD can only say "integer or string"). */
function strategyErrors(spec: ClusterBootstrapSpec): string[] {
  const ru = at(spec, ['strategy', 'rollingUpdate']);
  return ['maxSurge', 'maxUnavailable']
    .filter((k) => {
      const v = at(ru, [k]);
      return typeof v === 'string' && !/^[0-9]+%$/.test(v);
    })
    .map((k) => `spec.strategy.rollingUpdate.${k}: must be a whole number or a percentage such as 25%`);
}

function templateErrors(spec: ClusterBootstrapSpec): string[] {
  const errors: string[] = [];
  const t = spec.template as unknown;
  if (t === undefined) return errors;
  const containers = at(t, ['spec', 'containers']);
  if (containers !== undefined && !Array.isArray(containers)) {
    return ['spec.template.spec.containers: must be a list of containers'];
  }
  for (const [i, c] of (containers ?? []).entries()) {
    const name = (c as { name?: unknown })?.name;
    if (typeof name !== 'string' || name === '') {
      errors.push(`spec.template.spec.containers[${i}].name: is required; name the cluster container app`);
    } else if (name === APP_CONTAINER && (c as { image?: unknown }).image !== undefined) {
      errors.push(
        `spec.template.spec.containers[${i}].image: the app container runs spec.image; set spec.image instead`,
      );
    }
  }
  const labels = at(t, ['metadata', 'labels']);
  if (labels !== undefined && (labels === null || typeof labels !== 'object' || Array.isArray(labels))) {
    errors.push('spec.template.metadata.labels: must be a map of label names to values');
  } else {
    for (const key of ['app', 'actorSystemName']) {
      if (labels && key in (labels as object)) {
        const fix = key === 'app' ? 'spec.serviceName' : 'spec.actorSystemName';
        errors.push(`spec.template.metadata.labels.${key}: set by the operator; set ${fix} instead`);
      }
    }
  }
  return errors;
}

/** Validates a resource's spec; never throws. The input is not modified. */
export function validate(cb: Pick<ClusterBootstrap, 'metadata' | 'spec'>): ValidationResult {
  if (cb.spec === null || typeof cb.spec !== 'object')
    return { errors: ['spec: is required; set at least spec.image'] };
  const spec = structuredClone(cb.spec);
  const errors: string[] = validateSpec(spec) ? [] : (validateSpec.errors ?? []).map(describe);
  // The rules run on a schema-invalid spec too, so that a person sees every problem at once; they are written to
  // tolerate wrong types, and one that throws anyway counts as failed.
  const root = { metadata: cb.metadata, spec };
  for (const r of RULES) {
    const self = at(root, r.at);
    if (self === undefined) continue;
    let ok = false;
    try {
      ok = r.check(self as Record<string, unknown>);
    } catch {
      ok = false;
    }
    if (!ok) errors.push(r.message);
  }
  errors.push(...strategyErrors(spec), ...templateErrors(spec));
  const unique = [...new Set(errors)];
  return unique.length ? { errors: unique } : { spec, errors: [] };
}
