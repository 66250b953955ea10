// The production tree (tsconfig.build.json, what `make build` compiles into the images) holds no test double, and
// its imports point one way: entry points -> operator/agent -> core; core's pure parts do no I/O. tsc compiles
// whatever an included file imports, excluded or not, so the exclusions alone prove nothing: this test follows the
// imports.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = normalize(join(import.meta.dirname, '..'));
const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
  include: string[];
  exclude: string[];
};

/** Test doubles by their names: fakes, test kits, the agent's simulation. */
const isDouble = (file: string) => /(^|\/)(fake[^/]*|testkit)\.ts$/.test(file) || file.startsWith('agent/sim/');

/** tsconfig's exclude pattern as a RegExp: `**\/` any folders, `*` any name part; a folder excludes what it holds. */
function glob(pattern: string): RegExp {
  const body = pattern
    .split('**/')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('(.*/)?');
  return new RegExp(`^${body}(/.*)?$`);
}
const excluded = build.exclude.map(glob);
const isExcluded = (file: string) => excluded.some((re) => re.test(file));

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'testdata' ? [] : walk(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const sources = build.include.flatMap(walk);
const production = sources.filter((f) => !isExcluded(f));

/** The module specifiers a file imports (static imports, re-exports, dynamic imports of a literal). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1] as string);
  specs.push(...[...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] as string));
  return specs;
}
const resolveFrom = (file: string, spec: string) => relative(ROOT, normalize(join(ROOT, dirname(file), spec)));

test('every test double is left out of the production build', () => {
  const doubles = sources.filter(isDouble);
  assert.ok(doubles.length >= 6, `found the doubles: ${doubles.join(', ')}`);
  assert.equal(
    doubles.filter((f) => !isExcluded(f)),
    [],
  );
});

test('no production source imports a test double or a test (tsc would compile it into dist)', () => {
  const bad: string[] = [];
  for (const file of production) {
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolveFrom(file, spec);
      if (isExcluded(target) || isDouble(target)) bad.push(`${file} imports ${target}`);
    }
  }
  assert.equal(bad, []);
});

/** Modules that do I/O (node:net's isIP helpers are pure, its sockets are not used in core). */
const IO = /^(node:)?(fs|fs\/promises|http|https|http2|child_process|dgram|dns|worker_threads)$|^pino$/;

test('imports point one way: core imports neither part, operator and agent not each other; pure core does no I/O', () => {
  const bad: string[] = [];
  const part = (f: string) => f.split('/')[0] as string;
  const allowed: Record<string, string[]> = {
    core: ['core'],
    operator: ['operator', 'core'],
    agent: ['agent', 'core'],
  };
  for (const file of production) {
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const to = part(resolveFrom(file, spec));
        if (!allowed[part(file)]?.includes(to)) bad.push(`${file} imports ${spec}`);
      } else if (file.startsWith('core/') && !file.startsWith('core/runtime/') && IO.test(spec)) {
        bad.push(`${file} imports ${spec}: I/O belongs in core/runtime or the parts`);
      }
    }
  }
  assert.equal(bad, []);
});

test.run();
