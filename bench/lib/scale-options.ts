// The scale benchmark's command line, parsed once into a frozen object with every default in one place. A bad value
// is an error that names the flag and what it expects.
import type { PodMode } from './phase.ts';
import type { SubjectKind } from './subject.ts';

export const PHASES = ['ours-silent', 'ours-answering', 'ours-answering-polled', 'peer-silent'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface ScaleOptions {
  /** resource counts, run in this order */
  readonly ns: readonly number[];
  readonly replicas: number;
  readonly phases: readonly PhaseName[];
  readonly perNamespace: number;
  readonly createConcurrency: number;
  readonly settleSeconds: number;
  readonly idleSeconds: number;
  readonly timeoutSeconds: number;
  readonly repeat: number;
  readonly scope: 'cluster' | 'namespaces';
  /** write bench/results/scale.json and scale.md */
  readonly write: boolean;
  /** also write the raw results here (the smoke suite reads them) */
  readonly json?: string;
  /** compile the operator (tsc → dist/) first */
  readonly build: boolean;
  /** only regenerate results/scale.md from results/scale.json */
  readonly reportOnly: boolean;
  /** names the run in scale.json and the report; `before` runs are the baseline of the before/after tables */
  readonly label?: string;
  /** answering phases: status lag samples after the idle window (0: none), one every lagSpacingMs */
  readonly lagSamples: number;
  readonly lagSpacingMs: number;
}

export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const DEFAULTS: ScaleOptions = {
  ns: [100],
  replicas: 3,
  phases: PHASES,
  perNamespace: 10,
  createConcurrency: 20,
  settleSeconds: 30,
  idleSeconds: 300,
  timeoutSeconds: 900,
  repeat: 1,
  scope: 'cluster',
  write: true,
  build: true,
  reportOnly: false,
  lagSamples: 40,
  lagSpacingMs: 250,
};

function positive(flag: string, v: string | undefined, allowZero = false): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new UsageError(
      `--${flag}: expected a ${allowZero ? 'non-negative' : 'positive'} whole number, got "${v ?? ''}"`,
    );
  }
  return n;
}

export function parseScaleOptions(argv: readonly string[]): ScaleOptions {
  const o: { -readonly [K in keyof ScaleOptions]: ScaleOptions[K] } = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const flag = (argv[i] as string).replace(/^--/, '');
    const value = () => argv[++i];
    switch (flag) {
      case 'n':
        o.ns = (value() ?? '').split(',').map((x) => positive('n', x));
        break;
      case 'replicas':
        o.replicas = positive(flag, value());
        break;
      case 'phases': {
        const list = (value() ?? '').split(',');
        for (const p of list) {
          if (!(PHASES as readonly string[]).includes(p)) {
            throw new UsageError(`--phases: unknown phase "${p}"; choose from ${PHASES.join(', ')}`);
          }
        }
        o.phases = list as PhaseName[];
        break;
      }
      case 'per-namespace':
        o.perNamespace = positive(flag, value());
        break;
      case 'create-concurrency':
        o.createConcurrency = positive(flag, value());
        break;
      case 'settle-seconds':
        o.settleSeconds = positive(flag, value(), true);
        break;
      case 'idle-seconds':
        o.idleSeconds = positive(flag, value());
        break;
      case 'timeout-seconds':
        o.timeoutSeconds = positive(flag, value());
        break;
      case 'repeat':
        o.repeat = positive(flag, value());
        break;
      case 'scope': {
        const v = value();
        if (v !== 'cluster' && v !== 'namespaces')
          throw new UsageError(`--scope: expected cluster or namespaces, got "${v ?? ''}"`);
        o.scope = v;
        break;
      }
      case 'lag-samples':
        o.lagSamples = positive(flag, value(), true);
        break;
      case 'lag-spacing-ms':
        o.lagSpacingMs = positive(flag, value());
        break;
      case 'no-write':
        o.write = false;
        break;
      case 'no-build':
        o.build = false;
        break;
      case 'report-only':
        o.reportOnly = true;
        break;
      case 'json': {
        const v = value();
        if (!v) throw new UsageError('--json: expected a file name');
        o.json = v;
        break;
      }
      case 'label': {
        const v = value();
        if (!v) throw new UsageError('--label: expected a name, e.g. before');
        o.label = v;
        break;
      }
      default:
        throw new UsageError(`unknown flag "${argv[i]}"; see the header of bench/scale.bench.ts`);
    }
  }
  return Object.freeze(o);
}

/** A phase's controller and pods; `polled`: ours with its event streams off (STATUS_EVENT_STREAMS=0). */
export function phaseParts(p: PhaseName): { subject: SubjectKind; pods: PodMode; polled: boolean } {
  const [subject, pods, variant] = p.split('-') as [SubjectKind, PodMode, string | undefined];
  return { subject, pods, polled: variant === 'polled' };
}
