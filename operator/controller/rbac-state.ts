// What the namespace RBAC reconcile found out that the ClusterBootstrap reconcile reports, per namespace: conflict
// messages (an object named pod-reader or read-pods that is not the operator's) and the API's answers to the calls it
// refused. In memory only: it is recomputed by the next RBAC reconcile after a restart.
export interface SharedRbacProblems {
  conflicts: readonly string[];
  failures: readonly string[];
}

const NONE: SharedRbacProblems = { conflicts: [], failures: [] };
const text = (p: SharedRbacProblems) => [...p.conflicts, '', ...p.failures].join('\n');

export class RbacConflicts {
  private readonly byNamespace = new Map<string, SharedRbacProblems>();

  /** Sets the namespace's problems; true when they changed. */
  set(namespace: string, problems: SharedRbacProblems): boolean {
    const prev = this.get(namespace);
    if (problems.conflicts.length === 0 && problems.failures.length === 0) this.byNamespace.delete(namespace);
    else this.byNamespace.set(namespace, problems);
    return text(prev) !== text(problems);
  }

  get(namespace: string): SharedRbacProblems {
    return this.byNamespace.get(namespace) ?? NONE;
  }
}
