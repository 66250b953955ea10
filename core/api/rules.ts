// Validation rules the structural schema cannot express. Each is a CEL rule for the API server
// (x-kubernetes-validations, placed at `at` in the schema) and a TypeScript twin the operator runs on the same
// defaulted object, so the two reject the same specs. The messages name the field and the fix.

import { parseDuration } from '../settings/value-types.ts';
import { ACTOR_SYSTEM_NAME_PATTERN, DURATION_PATTERN, SELECTOR_PATTERN } from './schema.ts';
import { MIN_COLD_START_AFTER } from './schema-formation.ts';
import { SBR_RULES } from './split-brain.ts';

export interface Rule {
  /** Where the rule sits: [] is the resource itself, ['spec'] the spec, and so on. */
  at: string[];
  /** The CEL expression; `self` is the value at `at`. */
  rule: string;
  /** Shown by the API server and in the operator's condition. */
  message: string;
  /** The field the error points at, relative to `at` (CEL's fieldPath). */
  fieldPath?: string;
  /** The same rule in TypeScript, on the same value (defaults applied). */
  check: (self: Record<string, unknown>) => boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: rules walk untyped, already schema-checked JSON
type Any = any;
const re = (p: string) => new RegExp(p);

export const RULES: Rule[] = [
  {
    at: [],
    rule: `has(self.spec.actorSystemName) || self.metadata.name.matches('${ACTOR_SYSTEM_NAME_PATTERN}')`,
    message: 'metadata.name is not a valid actor system name (letters, digits, - and _ only): set spec.actorSystemName',
    fieldPath: '.spec.actorSystemName',
    check: (self: Any) =>
      self.spec?.actorSystemName !== undefined || re(ACTOR_SYSTEM_NAME_PATTERN).test(String(self.metadata?.name ?? '')),
  },
  {
    // Whatever actorSystemName and serviceName say: the pods' label app.kubernetes.io/instance and the Deployment's
    // selector carry the name itself.
    at: [],
    rule: 'size(self.metadata.name) <= 63',
    message:
      "metadata.name is longer than 63 characters: the pods' label app.kubernetes.io/instance and the Deployment's " +
      'selector carry it, and a label value has at most 63; choose a shorter name',
    check: (self: Any) => String(self.metadata?.name ?? '').length <= 63,
  },
  {
    at: ['spec'],
    rule: "self.workload == 'agent' || !has(self.agent)",
    message: 'spec.agent is used with workload agent only: set spec.workload to agent, or remove spec.agent',
    fieldPath: '.agent',
    check: (self: Any) => self.workload === 'agent' || self.agent === undefined,
  },
  {
    at: ['spec'],
    rule: 'self.management.port != self.remoting.port',
    message: 'spec.remoting.port equals spec.management.port: give the two ports different numbers',
    fieldPath: '.remoting.port',
    check: (self: Any) => self.management?.port !== self.remoting?.port,
  },
  {
    at: ['spec'],
    rule: "!has(self.strategy) || !has(self.strategy.type) || self.strategy.type != 'Recreate' || !has(self.strategy.rollingUpdate)",
    message:
      'spec.strategy.rollingUpdate is allowed with type RollingUpdate only: remove it, or set type RollingUpdate',
    fieldPath: '.strategy.rollingUpdate',
    check: (self: Any) => self.strategy?.type !== 'Recreate' || self.strategy?.rollingUpdate === undefined,
  },
  {
    at: ['spec', 'management', 'portName'],
    rule: "!self.matches('^[0-9]+$')",
    message:
      'spec.management.portName must contain a letter: a name of digits only reads as a port number; ' +
      'use e.g. management',
    check: (self) => !/^[0-9]+$/.test(String(self)),
  },
  {
    at: ['spec', 'management', 'portName'],
    rule: "self != 'remoting'",
    message: "spec.management.portName must not be remoting, the remoting port's name: use e.g. management",
    check: (self) => String(self) !== 'remoting',
  },
  {
    // The Deployment API refuses both at zero (no rollout could ever replace a pod); maxUnavailable defaults to 0.
    at: ['spec', 'strategy', 'rollingUpdate'],
    rule:
      "!(has(self.maxSurge) && (type(self.maxSurge) == int ? self.maxSurge == 0 : self.maxSurge == '0%')) || " +
      "(has(self.maxUnavailable) && (type(self.maxUnavailable) == int ? self.maxUnavailable != 0 : self.maxUnavailable != '0%'))",
    message:
      'spec.strategy.rollingUpdate.maxSurge is 0 and maxUnavailable is 0 (its default), so no pod could ever be ' +
      'replaced: set maxSurge to 1 (recommended) or maxUnavailable above 0',
    fieldPath: '.maxSurge',
    check: (self: Any) => {
      const zero = (v: unknown) => v === 0 || v === '0%';
      return !zero(self.maxSurge) || (self.maxUnavailable !== undefined && !zero(self.maxUnavailable));
    },
  },
  {
    at: ['spec', 'bootstrap', 'stableMargin'],
    rule: `self.matches('${DURATION_PATTERN}')`,
    message: 'spec.bootstrap.stableMargin must be a whole number and a unit (ms, s, m or h), e.g. 5s',
    check: (self) => re(DURATION_PATTERN).test(String(self)),
  },
  {
    at: ['spec', 'lifecycle', 'leaveTimeout'],
    rule: `self.matches('${DURATION_PATTERN}')`,
    message: 'spec.lifecycle.leaveTimeout must be a whole number and a unit (ms, s, m or h), e.g. 2m',
    check: (self) => re(DURATION_PATTERN).test(String(self)),
  },
  {
    at: ['spec', 'formation', 'coldStartAfter'],
    rule: `self.matches('${DURATION_PATTERN}')`,
    message: 'spec.formation.coldStartAfter must be a whole number and a unit (ms, s, m or h), e.g. 60s',
    check: (self) => re(DURATION_PATTERN).test(String(self)),
  },
  {
    // CEL's || absorbs the error of duration() on a value the rule above already rejects.
    at: ['spec', 'formation', 'coldStartAfter'],
    rule: `!self.matches('${DURATION_PATTERN}') || duration(self) >= duration('${MIN_COLD_START_AFTER}')`,
    message:
      `spec.formation.coldStartAfter must be at least ${MIN_COLD_START_AFTER}: a shorter bound could take a ` +
      'moment between two probes for a full outage; e.g. 60s',
    check: (self) =>
      !re(DURATION_PATTERN).test(String(self)) ||
      (parseDuration(String(self)) ?? 0) >= (parseDuration(MIN_COLD_START_AFTER) ?? 0),
  },
  {
    at: ['spec', 'bootstrap', 'podLabelSelector'],
    rule: `self.matches('${SELECTOR_PATTERN}')`,
    message:
      'spec.bootstrap.podLabelSelector must be a label selector such as app=%s or app=%s,tier=backend ' +
      '(letters, digits and - _ . / = ! , with no spaces)',
    check: (self) => re(SELECTOR_PATTERN).test(String(self)),
  },
  {
    at: ['spec', 'bootstrap', 'podLabelSelector'],
    rule: "self.indexOf('%s') == self.lastIndexOf('%s') && !self.replace('%s', '').contains('%')",
    message: 'spec.bootstrap.podLabelSelector may contain %s once (it becomes serviceName) and no other %',
    check: (self) => {
      const s = String(self);
      return s.indexOf('%s') === s.lastIndexOf('%s') && !s.replace('%s', '').includes('%');
    },
  },
  ...SBR_RULES,
];
