// Pure rendering: a ClusterBootstrap (validated and resolved) to the objects it should own, one file per object.
// Building an object is separate from applying it: operator/controller/kinds.ts lists the children, the reconcile
// applies them.
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
export { renderedValue } from './read-back.ts';
export { renderServiceAccount } from './service-account.ts';
export { type Member, rememberedAccounts, renderSharedRbac, SUBJECTS_ANNOTATION } from './shared-rbac.ts';
