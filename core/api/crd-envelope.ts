// The CustomResourceDefinition around one kind's schema, shared by the operator's two kinds (crd.ts: ClusterBootstrap,
// membership.ts: ClusterMembership): the group, the labels, the names, one served and stored version. The key order
// is the order `make generate` writes to crds/, so a change here shows as a diff there.
import type { SchemaNode } from './schema.ts';
import { CATEGORY, GROUP, VERSION } from './types.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface CrdParts<S extends SchemaNode> {
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  subresources: Record<string, unknown>;
  additionalPrinterColumns: PrinterColumn[];
  openAPIV3Schema: S;
}

export function crdEnvelope<S extends SchemaNode>(parts: CrdParts<S>) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${parts.plural}.${GROUP}`,
      labels: {
        'app.kubernetes.io/name': 'pekko-bootstrap-operator',
        'app.kubernetes.io/part-of': 'pekko-bootstrap-operator',
      },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: parts.kind,
        listKind: `${parts.kind}List`,
        plural: parts.plural,
        singular: parts.singular,
        ...(parts.shortNames ? { shortNames: parts.shortNames } : {}),
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: parts.subresources,
          additionalPrinterColumns: parts.additionalPrinterColumns,
          schema: { openAPIV3Schema: parts.openAPIV3Schema },
        },
      ],
    },
  };
}
