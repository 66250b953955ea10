// The local cluster's command line, used by the Makefile (cluster-up, cluster-down, operator-up, operator-down):
//   node local-cluster/cli.ts up|down|status|restart-kubelet|operator-up|operator-down [--dir DIR] [--pod-ip-prefix 127.N]
//     [--pod-cidr A.B.C.D/N|auto]
// See docs/local-cluster.md.
import { parseCli, UsageError } from './config.ts';
import { down } from './down.ts';
import { layout } from './layout.ts';
import { describePodNetwork } from './network/cluster-network.ts';
import { operatorDown, operatorUp } from './operator.ts';
import { isAlive } from './procs.ts';
import { readState } from './state.ts';
import { restartKubelet, up } from './up.ts';

async function main(): Promise<void> {
  const cfg = parseCli(process.argv.slice(2), process.env);
  switch (cfg.command) {
    case 'up':
      return up(cfg);
    case 'down':
      return down(cfg);
    case 'restart-kubelet':
      return restartKubelet(cfg);
    case 'operator-up':
      return operatorUp(cfg);
    case 'operator-down':
      return operatorDown(cfg);
    case 'status': {
      const st = readState(layout(cfg.dir).state);
      if (!st) {
        console.log(`no cluster in ${cfg.dir}`);
        process.exitCode = 1;
        return;
      }
      for (const p of [...st.processes, ...(st.operator ? [st.operator] : [])]) {
        console.log(`${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${isAlive(p) ? 'running' : 'NOT RUNNING'}`);
      }
      console.log(`API server https://127.0.0.1:${st.ports.apiserver}; kubeconfig ${layout(cfg.dir).kubeconfig}`);
      if (st.network) console.log(describePodNetwork(st.network));
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof UsageError ? err.message : `[cluster] ${(err as Error).message}`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
