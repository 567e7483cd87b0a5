// A TypeScript page using the package as the README shows, compiled by tests/js/types.test.mjs with tsc --strict
// against the installed package (its exports' "types"). Each @ts-expect-error line must be an error: the types are
// checked to refuse what the runtime refuses, not only to accept what it takes.
import { Model, loadTinytrain, type ModelSpec } from 'tinytrain';
import { TinyTrain, Trainer, type TinyTrainAttributes } from 'tinytrain/tiny-train.js';

const spec: ModelSpec = {
  input: [2],
  layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 2 }],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.05 },
};

export async function modelApi(): Promise<number> {
  await loadTinytrain();
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
  const y = new Int32Array([0, 1, 1, 0]);
  const m = await Model.create(spec);
  const last = m.fit(x, y, { epochs: 300, batchSize: 4, onEpoch: ({ epoch, loss }) => console.log(epoch, loss) });
  const probs: Float32Array = m.probabilities(x);
  const { accuracy } = m.evaluate(x, y);
  const again = await Model.load(m.save());
  const activations: string[] = (await Model.layerTypes()).filter((t) => t.traits.includes('ACTIVATION')).map((t) => t.name);
  for (const id of again.startGeneration([1, 2, 3], { maxTokens: 5, topK: 3 })) console.log(id.toFixed(0));
  Model.setMemoryLimit(64 * 1024 * 1024);
  m.setHparam('lr', 0.003);
  // @ts-expect-error: not a hyper-parameter
  m.setHparam('learning_rate', 0.003);
  // @ts-expect-error: a spec is an object or JSON text
  await Model.create(42);
  // @ts-expect-error: models come from create() and load() only
  new Model();
  // @ts-expect-error: read-only
  m.paramCount = 3;
  m.dispose();
  return last.loss + probs[0] + accuracy + activations.length + Model.memoryBytes();
}

export async function trainerApi(): Promise<void> {
  const t = new Trainer(spec, { dataset: 'spiral', n: 400, noise: 0.05, seed: 1, testFraction: 0.5 }, { batchSize: 16 });
  t.addEventListener('progress', (e) => console.log(e.detail.step, e.detail.testAccuracy.toFixed(3)));
  t.addEventListener('restarted', (e) => console.log(e.detail.step));
  const info = await t.ready;
  console.log(info.paramCount);
  await t.start({ maxSteps: 100 });
  await t.set({ lr: 0.003 });
  const out = t.predictor?.predict(new Float32Array([0, 0]));
  console.log(out?.[0]);
  // @ts-expect-error: a number of steps, not an options object
  await t.step({ n: 3 });
  t.dispose();
}

export function element(): void {
  const widget = document.querySelector('tiny-train'); // TinyTrain | null, through HTMLElementTagNameMap
  if (!widget) return;
  const same: TinyTrain = widget;
  widget.addEventListener('progress', (e) => {
    console.log(`seen ${e.detail.samplesSeen.toLocaleString()} examples`);
  });
  widget.addEventListener('trained', (e) => console.log(e.detail.reason, e.detail.testAccuracy));
  widget.addEventListener('error', (e) => console.log(e.detail.kind, e.detail.message));
  widget.addEventListener('ready', (e) => console.log(e.detail.pretrained ? 'pretrained' : 'fresh'));
  // @ts-expect-error: a progress event's step is a number
  widget.addEventListener('progress', (e) => console.log(e.detail.step.toUpperCase()));
  console.log(same.trainer?.progress?.step);
  const attributes: TinyTrainAttributes = { demo: 'circles', layers: '16 tanh, 16 tanh', autoplay: '' };
  // @ts-expect-error: not a built-in demo
  const wrong: TinyTrainAttributes = { demo: 'mnist' };
  for (const [name, value] of Object.entries({ ...attributes, ...wrong })) widget.setAttribute(name, String(value));
  const made = document.createElement('tiny-train');
  made.setAttribute('demo', 'xor');
  document.body.append(made);
}
