// The container image's entry point (operator/Dockerfile): source maps for the operator's own files but not for
// node_modules, then the operator. Node's --enable-source-maps would also load client-node's maps (about 10 MiB of
// RSS, bench/results/profile.md); setSourceMapsSupport must run before those modules load, hence the dynamic import.
import { setSourceMapsSupport } from 'node:module';

setSourceMapsSupport(true, { nodeModules: false });
const { start } = await import('./main.ts');
await start();
