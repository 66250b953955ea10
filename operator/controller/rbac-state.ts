// What the namespace RBAC reconcile found out that the ClusterBootstrap reconcile reports: per namespace, a conflict
// message for the shared Role or RoleBinding when an object of that name is not the operator's. In memory only: it
// is recomputed by the next RBAC reconcile after a restart.
export class RbacConflicts {
  private readonly byNamespace = new Map<string, string[]>();

  /** Sets the namespace's conflicts; true when they changed. */
  set(namespace: string, messages: string[]): boolean {
    const prev = this.byNamespace.get(namespace) ?? [];
    if (messages.length === 0) this.byNamespace.delete(namespace);
    else this.byNamespace.set(namespace, messages);
    return prev.join('\n') !== messages.join('\n');
  }

  get(namespace: string): readonly string[] {
    return this.byNamespace.get(namespace) ?? [];
  }
}
