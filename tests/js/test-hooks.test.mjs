// Hooks only tests use do not ship (issue "One front end"): the crash request, the trap module and a crash method
// on Trainer live in tests/ (crash-hooks.mjs, e2e/hooked-worker.mjs), which nothing under web/ or wasm/ (all that
// tools/dist.mjs can ship) imports. The shipped session refuses `crash` like any unknown request.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUEST } from '../../web/runtime/protocol.js';
import { TrainingSession } from '../../web/runtime/session.js';
import { Trainer } from '../../web/runtime/trainer.js';
import { FakeModel } from './fake-model.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shipped = (dir) => fs.readdirSync(path.join(ROOT, dir), { recursive: true })
  .filter((f) => f.endsWith('.js')).map((f) => path.join(dir, f));

test('no shipped source defines the crash request or the trap module, or imports from tests/', () => {
  const found = [];
  for (const file of [...shipped('web'), ...shipped('wasm')]) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const pattern of [/TRAP_MODULE/, /['"]crash['"]/, /CRASH/, /_crash\b/, /ForTest/, /from\s*['"][./]*tests\//]) {
      if (pattern.test(text)) found.push(`${file}: ${pattern}`);
    }
  }
  assert.deepEqual(found, []);
  assert.ok(!Object.values(REQUEST).includes('crash'));
  assert.equal(Trainer.prototype.crashWorkerForTest, undefined);
});

test('the shipped session answers a crash request as an unknown request and stays alive', async () => {
  const posts = [];
  const session = new TrainingSession({ Model: FakeModel, post: (m) => posts.push(m), schedule: setImmediate });
  await session.handle({ type: 'init', id: 1, spec: { input: [2], layers: [{ type: 'dense', units: 2 }], loss: 'cross_entropy' },
    data: { dataset: 'xor', n: 40, seed: 1 } });
  await session.handle({ type: 'crash', id: 2 });
  const reply = posts.find((m) => m.type === 'reply' && m.id === 2);
  assert.deepEqual([reply.ok, reply.error], [false, 'message.type: unknown request "crash"']);
  assert.equal(posts.filter((m) => m.type === 'fatal').length, 0);
  await session.handle({ type: 'step', id: 3, n: 2 });
  assert.equal(posts.find((m) => m.type === 'reply' && m.id === 3).result.step, 2);
});
