// The responder process (bench/responder/server.ts), driven by its parent over the IPC channel of child_process.fork
// (the messages: control.ts). When the parent goes away (disconnect), it removes the addresses it added to lo and
// exits.
import type { ControlMessage } from './control.ts';
import { Responder } from './server.ts';

if (!process.send) {
  console.error('bench/responder/main.ts runs as a child of the benchmark (child_process.fork)');
  process.exit(2);
}
const send = (m: unknown) => process.send?.(m);
const responder = new Responder();
let closing: Promise<string | undefined> | undefined;
const close = () => {
  closing ??= responder.close();
  return closing;
};

process.on('message', (m: ControlMessage) => {
  switch (m.op) {
    case 'add':
      void responder.add(m.pod);
      break;
    case 'remove':
      responder.remove(m.ip, m.port);
      break;
    case 'leave':
      send({ id: m.id, result: responder.remove(m.ip, m.port) ?? { error: `no pod ${m.ip}:${m.port}` } });
      break;
    case 'join':
      void responder.add(m.pod).then((change) => send({ id: m.id, result: change }));
      break;
    case 'stats':
      send({ id: m.id, result: responder.stats() });
      break;
    case 'close':
      void close().then((err) => {
        send({ id: m.id, result: { error: err } });
        process.disconnect();
        process.exit(0);
      });
      break;
  }
});
process.on('disconnect', () => void close().then(() => process.exit(0)));
process.on('SIGTERM', () => void close().then(() => process.exit(0)));
send({ op: 'ready' });
