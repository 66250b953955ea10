// The part of the ClusterBootstrap schema that belongs to split repair (spec.splitRepair; operator/controller/
// split-repair.ts, docs/status.md "Split repair"). schema.ts puts it in place.
import type { SchemaNode } from './schema.ts';

export const SPLIT_REPAIR_DEFAULTS = {
  splitRepair: false,
} as const;

export const splitRepairSchema: SchemaNode = {
  type: 'object',
  default: {},
  description:
    'What the operator does when the pods report two or more clusters (the status says Degraded, reason ' +
    'SplitBrain, whatever this says).',
  properties: {
    enabled: {
      type: 'boolean',
      default: SPLIT_REPAIR_DEFAULTS.splitRepair,
      description:
        'Restart the pods of every cluster but one, so that they join that one: the operator keeps the cluster ' +
        'with the most Up members (a tie: the one whose seed runs in the oldest pod) and deletes the pods of the ' +
        'others one at a time, each once the replacement of the one before has joined a cluster or 2 minutes ' +
        'have passed, with Events SplitRepairStarted, SplitRepairPodDeleted and SplitRepairCompleted. The ' +
        'restarted pods must be able to find the kept cluster: fix why they could not (selector, network) first. ' +
        'Off by default.',
    },
  },
};
