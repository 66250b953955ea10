// The label selector and service name rules of Pekko's bootstrap (docs/agent.md, How it bootstraps).

/** Pekko's default pod-label-selector. */
export const DEFAULT_POD_LABEL_SELECTOR = 'app=%s';

/** pod-label-selector with `%s` replaced by the lookup's service name (Pekko formats the first `%s` only). */
export function podLabelSelector(template: string, serviceName: string): string {
  return template.replace('%s', serviceName);
}

/** The default service name: the actor system name lower-cased, with ' ' and '_' turned into '-'. */
export function serviceNameFromActorSystem(actorSystemName: string): string {
  return actorSystemName.toLowerCase().replace(/[ _]/g, '-');
}

/** The API path that lists the pods of a namespace by label selector. */
export function podListPath(namespace: string, selector: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`;
}
