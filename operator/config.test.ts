import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';

test('defaults', () => {
  const c = parseConfig({}, 'host-1');
  assert.equal(c.watchNamespaces, []);
  assert.is(c.leaderElection, false);
  assert.is(c.leaderElectionNamespace, 'default');
  assert.is(c.leaderElectionId, 'pekko-bootstrap-operator');
  assert.is(c.podName, 'host-1');
  assert.is(c.httpHost, '0.0.0.0');
  assert.is(c.httpPort, 8080);
  assert.is(c.logLevel, 'info');
  assert.is(c.resyncMs, 600_000);
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.watchNamespaces));
});

test('every variable', () => {
  const c = parseConfig(
    {
      WATCH_NAMESPACES: ' shop, billing ,,shop',
      LEADER_ELECTION: 'TRUE',
      POD_NAMESPACE: 'ops',
      LEADER_ELECTION_ID: 'op-lease',
      POD_NAME: 'op-0',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '9090',
      LOG_LEVEL: 'debug',
      RESYNC_PERIOD: '30s',
      STATUS_EVENT_STREAMS: '0',
    },
    'ignored',
  );
  assert.equal(c.watchNamespaces, ['shop', 'billing']);
  assert.is(c.leaderElection, true);
  assert.is(c.leaderElectionNamespace, 'ops', 'falls back to POD_NAMESPACE');
  assert.is(c.leaderElectionId, 'op-lease');
  assert.is(c.podName, 'op-0');
  assert.is(c.httpHost, '127.0.0.1');
  assert.is(c.httpPort, 9090);
  assert.is(c.logLevel, 'debug');
  assert.is(c.resyncMs, 30_000);
  assert.is(c.statusEventStreams, 0);
  assert.is(parseConfig({}, 'h').statusEventStreams, 2000);
  assert.is(parseConfig({ RESYNC_PERIOD: '2h' }, 'h').resyncMs, 7_200_000);
  assert.is(parseConfig({ POD_NAMESPACE: 'ops', LEADER_ELECTION_NAMESPACE: 'le' }, 'h').leaderElectionNamespace, 'le');
});

test('bad values are refused with the variable named', () => {
  for (const [env, name] of [
    [{ LEADER_ELECTION: 'yes' }, 'LEADER_ELECTION'],
    [{ HTTP_PORT: '70000' }, 'HTTP_PORT'],
    [{ HTTP_PORT: 'http' }, 'HTTP_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ WATCH_NAMESPACES: 'Shop_1' }, 'WATCH_NAMESPACES'],
    [{ RESYNC_PERIOD: '10' }, 'RESYNC_PERIOD'],
    [{ RESYNC_PERIOD: '500ms' }, 'RESYNC_PERIOD'],
    [{ STATUS_EVENT_STREAMS: '-1' }, 'STATUS_EVENT_STREAMS'],
    [{ STATUS_EVENT_STREAMS: 'many' }, 'STATUS_EVENT_STREAMS'],
  ] as const) {
    try {
      parseConfig(env, 'h');
      assert.unreachable(`${name} accepted`);
    } catch (err) {
      assert.instance(err, ConfigError);
      assert.is((err as ConfigError).code, 'CONFIG_INVALID');
      assert.match((err as Error).message, name);
    }
  }
});

test.run();
