// biome-ignore-all lint/suspicious/noTemplateCurlyInString: image-map placeholders are ${NAME} strings
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ImageMapError, lookupImage, parseImageMap, resolvePlaceholders } from './images.ts';

test('parses entries and rejects malformed ones, naming the file and image', () => {
  const map = parseImageMap({ 'a:1': { command: ['x'], env: { K: 'v' } }, 'b:1': { statusOnly: true } }, 'f.json');
  assert.equal(map['a:1'], { command: ['x'], env: { K: 'v' } });
  assert.equal(map['b:1'], { command: [], statusOnly: true });
  assert.throws(
    () => parseImageMap({ 'c:1': { command: 'node x' } }, 'f.json'),
    (e: unknown) => e instanceof ImageMapError && /f\.json: image "c:1"/.test(e.message),
  );
  assert.throws(
    () => parseImageMap([], 'f.json'),
    (e: unknown) => e instanceof ImageMapError,
  );
});

test('placeholders are replaced; unknown ones stay', () => {
  const map = resolvePlaceholders(
    { 'a:1': { command: ['${NODE}', '${REPO}/agent/main.ts'], env: { X: '${POD_IP}' }, cwd: '${REPO}' } },
    { NODE: '/bin/node', REPO: '/repo' },
  );
  assert.equal(map['a:1'], { command: ['/bin/node', '/repo/agent/main.ts'], env: { X: '${POD_IP}' }, cwd: '/repo' });
});

test('lookup accepts Docker Hub spellings and an implicit :latest', () => {
  const map = { 'app:1': { command: ['a'] }, 'tool:latest': { command: ['t'] } };
  assert.ok(lookupImage(map, 'docker.io/library/app:1'));
  assert.ok(lookupImage(map, 'tool'));
  assert.not.ok(lookupImage(map, 'app:2'));
});

test.run();
