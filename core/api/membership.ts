// The ClusterMembership kind (bootstrap.pekko-operator.dev/v1alpha1): the record of one agent cluster's members, which
// the operator creates for each ClusterBootstrap with `workload: agent` and only the agents write (its status).
// docs/membership.md describes its meaning; agent/membership/record.ts reads and writes the status. This file holds
// its names, its schema and its CRD, which `make generate` writes to crds/clustermembership.yaml.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { crdEnvelope } from './crd-envelope.ts';
import type { SchemaNode } from './schema.ts';
import { GROUP, VERSION } from './types.ts';

export const MEMBERSHIP_KIND = 'ClusterMembership';
export const MEMBERSHIP_PLURAL = 'clustermemberships';
export const MEMBERSHIP_SINGULAR = 'clustermembership';
export const MEMBERSHIP_API_VERSION = `${GROUP}/${VERSION}`;

/** The object as the operator creates it: metadata only; the agents write `status` (agent/membership/record.ts). */
export interface ClusterMembership {
  apiVersion: typeof MEMBERSHIP_API_VERSION;
  kind: typeof MEMBERSHIP_KIND;
  metadata: V1ObjectMeta;
  status?: Record<string, unknown>;
}

const int = (description: string): SchemaNode => ({ type: 'integer', format: 'int64', minimum: 0, description });
const str = (description: string): SchemaNode => ({ type: 'string', description });

/**
 * The status the agents write. Every field is optional (the operator creates the object without a status), and a
 * member entry keeps fields it does not declare, so that an agent of another version can read and write back an entry
 * it does not understand (record.ts keeps unreadable entries verbatim).
 */
export const membershipStatusSchema: SchemaNode = {
  type: 'object',
  description: "Written by the cluster's agents only, each write conditional on the resourceVersion it read.",
  properties: {
    version: int('Incremented by every write: which of two states a member saw is newer.'),
    clusterId: str("The incarnation: its founder's unique address (node#uid). Empty before the first founding."),
    nextUpNumber: int("The upNumber the next member to join gets: Pekko's age order, assigned in the joining write."),
    nextChallenge: int('The sequence number of the next challenge.'),
    members: {
      type: 'array',
      description: 'The members, each Up from the write that added it.',
      items: {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        description: 'One member incarnation.',
        properties: {
          node: str('Its address, pekko://<system>@<host>:<port>.'),
          uid: str('Its 64-bit uid, in decimal: a restarted process is a new incarnation.'),
          pod: str('Its pod.'),
          status: str("Pekko's member status."),
          upNumber: int("Its place in Pekko's age order: the oldest has the lowest."),
          roles: { type: 'array', items: { type: 'string' }, description: 'Its roles, dc-default last.' },
          challenge: {
            type: 'object',
            description: 'Set by the leader when the pod looks dead; the member removes it, or is removed.',
            properties: {
              seq: int('The challenge: a removal requires this very one, unanswered.'),
              by: str('The challenger.'),
              reason: str('pod gone, pod terminating, pod not running, not ready, or cold start.'),
              podState: str('The pod state that triggered it.'),
            },
          },
          answered: str('The pod state of the last challenge this member refuted.'),
        },
      },
    },
  },
};

export function buildMembershipCrd() {
  return crdEnvelope({
    kind: MEMBERSHIP_KIND,
    plural: MEMBERSHIP_PLURAL,
    singular: MEMBERSHIP_SINGULAR,
    subresources: { status: {} },
    additionalPrinterColumns: [
      { name: 'Cluster', type: 'string', jsonPath: '.status.clusterId', description: 'The incarnation: its founder.' },
      { name: 'Version', type: 'integer', jsonPath: '.status.version', description: 'Writes so far.' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
    openAPIV3Schema: {
      type: 'object',
      description:
        'ClusterMembership holds the members of the agent cluster of the ClusterBootstrap of the same name ' +
        '(workload: agent). The operator creates it; the agents write its status (docs/membership.md).',
      properties: {
        apiVersion: str(MEMBERSHIP_API_VERSION),
        kind: str(MEMBERSHIP_KIND),
        metadata: { type: 'object' },
        status: membershipStatusSchema,
      },
    },
  });
}
