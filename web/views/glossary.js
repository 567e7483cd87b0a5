// Plain words for the pages' technical terms: an element marked data-term="loss" gets a short explanation that shows
// on hover and on keyboard focus (a tooltip the term points to with aria-describedby). The styles are each page's
// (.term, .tip). No DOM beyond the elements marked.

export const GLOSSARY = Object.freeze({
  step: 'One update of the weights: the network looks at one batch of examples, measures its loss and nudges every ' +
    'weight a little to make the loss smaller.',
  epoch: 'One pass over all the training examples.',
  batch: 'The handful of training examples looked at together in one step; their losses are averaged.',
  loss: 'How wrong the network is, as one number: 0 would be every answer right and sure. Training makes it smaller.',
  FLOP: 'One floating-point operation, a multiply or an add: a count of how much arithmetic something took.',
  'learning rate': 'How big each step\'s nudge to the weights is. Too small learns slowly; too big overshoots and can ' +
    'make the loss blow up.',
  optimizer: 'The rule that turns the slope of the loss into weight changes: plain gradient descent (sgd), with ' +
    'momentum, or Adam, which adapts the step size for each weight.',
  'held-out': 'Examples kept out of training and used only to test the network: they show whether it learned the ' +
    'pattern or just memorised its training examples. Also called test data.',
  overfitting: 'The network memorises its training examples instead of learning the pattern: the training loss keeps ' +
    'falling while the held-out loss rises.',
});

let tips = 0;

/** Gives every [data-term] element under root its explanation. Returns how many it found. */
export function explainTerms(root = document) {
  let n = 0;
  for (const term of root.querySelectorAll('[data-term]')) {
    const text = GLOSSARY[term.dataset.term];
    if (!text || term.classList.contains('term')) continue;
    const tip = document.createElement('span');
    tip.id = `term-tip-${++tips}`;
    tip.className = 'tip';
    tip.setAttribute('role', 'tooltip');
    tip.textContent = text;
    term.classList.add('term');
    term.tabIndex = 0;
    term.setAttribute('aria-describedby', tip.id);
    term.append(tip); // hidden until hover or focus, so it is no part of a label's text
    n++;
  }
  return n;
}
