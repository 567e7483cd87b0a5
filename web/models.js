// The one builder of plain MLP specs, shared by the <tiny-train> widget, the demos and the tools, so "momentum"
// means the same thing everywhere. Pure data, no DOM. The presets live beside the code that uses them, apart from
// what every widget loads: the digits models in web/digits-models.js, the GPTs in web/text/gpt.js.
import { outputUnits } from './datasets.js';

/** The optimizer field for a menu choice: 'momentum' is sgd with momentum 0.9; the others are the core's own. */
export function optimizerSpec(choice, lr) {
  return choice === 'momentum' ? { type: 'sgd', lr, momentum: 0.9 } : { type: choice, lr };
}

/**
 * A plain MLP spec: `inputs` features, hidden layers [{units, act}] (act 'linear' adds no activation layer), then a
 * dense output sized for `classes` (0: regression) and the loss.
 */
export function mlpSpec({ inputs, hidden, classes, loss, optimizer, lr, seed }) {
  const layers = [];
  for (const { units, act } of hidden) {
    layers.push({ type: 'dense', units });
    if (act !== 'linear') layers.push({ type: act });
  }
  layers.push({ type: 'dense', units: outputUnits(classes, loss) });
  return { input: [inputs], layers, loss, optimizer: optimizerSpec(optimizer, lr), seed };
}

