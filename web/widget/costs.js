// <tiny-train panels="costs">: the cost panel (web/views/costs.js), compact, under the widget's training and
// inference panels. Loaded with a dynamic import only by widgets that ask for it, so it stays out of what every
// widget loads (`make dist` makes it a part loaded on demand). It follows the widget through its public events
// and `trainer`: training counters from `progress`, the model from the Trainer's predictor.
import { CostPanel, trainingFromProgress } from '../views/costs.js';

/** Adds the panel to `container` (in the widget's shadow root) for widget `element`; dispose() removes it. */
export function mountCosts(element, container) {
  const panel = new CostPanel(container, { compact: true });
  const listening = new AbortController();
  const follow = () => {
    const model = element.trainer?.predictor;
    if (model) panel.setModel(model, { label: '(the model answering above)' });
  };
  const on = (type, handler) => element.addEventListener(type, handler, { signal: listening.signal });
  on('progress', (event) => {
    panel.setTraining(trainingFromProgress(event.detail));
    follow();
  });
  on('ready', follow);
  on('snapshot', follow);
  follow();
  return {
    panel,
    dispose() {
      listening.abort();
      panel.dispose();
    },
  };
}
