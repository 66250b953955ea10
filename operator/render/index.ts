// Pure rendering: a ClusterBootstrap (validated and resolved) to the objects it should own. Building an object is
// separate from applying it (operator/controller applies).
import type { V1Deployment, V1ServiceAccount } from '@kubernetes/client-node';
import type { Resolved } from '../../core/api/resolve.ts';
import type { ClusterBootstrap } from '../../core/api/types.ts';
import { renderDeployment } from './deployment.ts';
import { renderServiceAccount } from './rbac.ts';

export { renderDeployment, strategyFor } from './deployment.ts';
export { agentEnv, bootstrapSettings, envName, javaToolOptions } from './env.ts';
export {
  childLabels,
  INSTANCE_LABEL,
  MANAGED_BY_LABEL,
  ownerRef,
  selectorLabels,
  selectorString,
  sharedLabels,
} from './labels.ts';
export { type Member, renderServiceAccount, renderSharedRbac } from './rbac.ts';

/** The children one resource owns alone. */
export function renderChildren(
  cb: ClusterBootstrap,
  r: Resolved,
): { deployment: V1Deployment; serviceAccount?: V1ServiceAccount } {
  const serviceAccount = renderServiceAccount(cb, r);
  return { deployment: renderDeployment(cb, r), ...(serviceAccount ? { serviceAccount } : {}) };
}
