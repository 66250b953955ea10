import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseProm, sum } from './prom.ts';

const TEXT = `# HELP apiserver_flowcontrol_dispatched_requests_total x
# TYPE apiserver_flowcontrol_dispatched_requests_total counter
apiserver_flowcontrol_dispatched_requests_total{flow_schema="exempt",priority_level="exempt"} 564
apiserver_flowcontrol_dispatched_requests_total{flow_schema="pbo-bench-operator",priority_level="exempt"} 12
pekko_bootstrap_operator_probes_total{result="ok"} 3
pekko_bootstrap_operator_probes_total{result="error"} 4.5e1
odd{label="a \\"quoted\\" value, with {braces}"} 1
go_goroutines 42
`;

test('sums the samples whose labels match', () => {
  const s = parseProm(TEXT);
  assert.is(sum(s, 'apiserver_flowcontrol_dispatched_requests_total', { flow_schema: 'pbo-bench-operator' }), 12);
  assert.is(sum(s, 'apiserver_flowcontrol_dispatched_requests_total'), 576);
  assert.is(sum(s, 'pekko_bootstrap_operator_probes_total'), 48);
  assert.is(sum(s, 'go_goroutines'), 42);
  assert.is(sum(s, 'absent'), 0);
  assert.equal(s.find((x) => x.name === 'odd')?.labels, { label: 'a "quoted" value, with {braces}' });
});

test.run();
