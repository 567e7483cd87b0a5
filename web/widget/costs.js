// <tiny-train panels="costs">: the cost panel (web/views/costs.js), compact, under the widget's training and
// inference panels. Loaded with a dynamic import only by widgets that ask for it, so it stays out of what every
// widget loads (`make dist` makes it a part loaded on demand). It follows the widget through its public surface
// only: training counters from its `progress` events, the model from its Trainer's predictor.
import { CostPanel, trainingFromProgress } from '../views/costs.js';

export const PANELS = ['costs'];

/**
 * Adds the panel to widget `element` for the widget's current build (the Trainer it has now or gets next). The
 * panel removes itself once it is stale: a later build mounted its own, the Trainer was replaced, the widget left
 * the page, or `panels` no longer names it. An unknown name in `panels` is reported as the widget reports a bad
 * attribute (an `error` event of kind 'attribute') and shown in the panel's place.
 */
export function mountCosts(element) {
  const container = element.shadowRoot.querySelector('.root');
  container.querySelector(':scope > .costs')?.remove(); // an earlier build's panel
  const names = element.getAttribute('panels')?.split(/[\s,]+/).filter(Boolean) ?? [];
  const unknown = names.filter((name) => !PANELS.includes(name));
  if (unknown.length) {
    const message = `panels: expected one of ${PANELS.join(', ')}, got ${JSON.stringify(unknown[0].slice(0, 40))}`;
    const note = Object.assign(document.createElement('p'), { className: 'costs msg', role: 'alert', textContent: message });
    container.append(note);
    element.dispatchEvent(new CustomEvent('error', { detail: { message, kind: 'attribute' }, bubbles: true, composed: true }));
    return null;
  }
  const panel = new CostPanel(container, { compact: true });
  const listening = new AbortController();
  let trainer = null; // the Trainer of the build this panel belongs to: the first one it sees
  const stale = () => !panel.element.isConnected || !/(^|[\s,])costs([\s,]|$)/.test(element.getAttribute('panels') ?? '') ||
    (trainer && trainer !== element.trainer);
  const follow = () => {
    if (stale()) {
      listening.abort();
      panel.dispose();
      return false;
    }
    trainer ??= element.trainer;
    const model = trainer?.predictor;
    if (model) panel.setModel(model, { label: '(the model answering above)' });
    return true;
  };
  const on = (type, handler) => element.addEventListener(type, handler, { signal: listening.signal });
  on('progress', (event) => {
    if (follow()) panel.setTraining(trainingFromProgress(event.detail));
  });
  on('ready', follow);
  on('snapshot', follow);
  follow();
  return panel;
}
