// The kubelet's HTTPS endpoint for `kubectl logs`: the API server calls GET /containerLogs/<ns>/<pod>/<container>
// on the Node's InternalIP and daemonEndpoints port, with its kubelet client certificate (checked against the
// cluster CA). Serves the container's log file; tailLines, limitBytes and follow are honoured, other options
// (timestamps, sinceSeconds, previous) are ignored: one file holds every run of a container.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { podLogFile } from '../layout.ts';
import type { KubeletConfig } from './config.ts';

export function tailLines(text: string, n: number): string {
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  return lines.slice(Math.max(0, lines.length - n)).join('\n') + (endsWithNewline && lines.length ? '\n' : '');
}

/** Serves on `host` (the Node's InternalIP) and the kubelet port. */
export function startLogServer(cfg: KubeletConfig, host: string): Server {
  const server = createServer(
    {
      cert: readFileSync(cfg.servingCert),
      key: readFileSync(cfg.servingKey),
      ca: readFileSync(cfg.caFile),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method !== 'GET' || !m) {
        res.writeHead(404).end('the local kubelet stand-in serves only /containerLogs\n');
        return;
      }
      const [ns, pod, container] = m.slice(1).map(decodeURIComponent) as [string, string, string];
      const file = podLogFile(cfg.layout, ns, pod, container);
      if (!existsSync(file)) {
        res.writeHead(404).end(`no log for container ${container} of pod ${ns}/${pod}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tail = url.searchParams.get('tailLines');
      const limit = Number(url.searchParams.get('limitBytes') ?? 0);
      let body = readFileSync(file, 'utf8');
      if (tail !== null) body = tailLines(body, Number(tail));
      if (limit > 0) body = body.slice(0, limit);
      res.write(body);
      if (url.searchParams.get('follow') !== 'true') {
        res.end();
        return;
      }
      let offset = statSync(file).size;
      const poll = setInterval(() => {
        let size = 0;
        try {
          size = statSync(file).size;
        } catch {
          clearInterval(poll);
          res.end();
          return;
        }
        if (size <= offset) return;
        createReadStream(file, { start: offset, end: size - 1 }).on('data', (d) => res.write(d));
        offset = size;
      }, 500);
      req.on('close', () => clearInterval(poll));
    },
  );
  server.listen(cfg.kubeletPort, host);
  return server;
}
