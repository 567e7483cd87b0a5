// Text views for language models, pure drawing from data: the tokens a model sees as chips with their ids, and its
// most likely next tokens as bars. Used by the text page (demos/text/); the page's CSS styles .chip, .row, .track,
// .fill and .pct.
//
//   const showChips = tokenChips(container);   showChips([{text, id}])   (id -1: a character outside the vocabulary)
//   const showTop = topTokenBars(container, 8);   showTop([{text, p}])   (most likely first; null empties it)

/** A token's text as it can be seen: a newline as ⏎, a space as ␣, a tab as ⇥. */
export function visibleToken(text) {
  return text.replace(/\n/g, '⏎').replace(/ /g, '␣').replace(/\t/g, '⇥');
}

/** Chips of the tokens of a text (role list): the token's text above its id; unknown characters marked. */
export function tokenChips(container) {
  container.setAttribute('role', 'list');
  return (pieces) => {
    container.replaceChildren(...pieces.map(({ text, id }) => {
      const chip = document.createElement('span');
      const piece = document.createElement('span');
      const number = document.createElement('span');
      chip.className = id < 0 ? 'chip unknown' : 'chip';
      chip.setAttribute('role', 'listitem');
      piece.className = 'piece';
      piece.textContent = visibleToken(text);
      number.className = 'id';
      number.textContent = id < 0 ? '?' : String(id);
      chip.title = id < 0 ? `${JSON.stringify(text)}: not in the vocabulary, left out` : `${JSON.stringify(text)}: token ${id}`;
      chip.setAttribute('aria-label', id < 0 ? `${visibleToken(text)}, not in the vocabulary` : `${visibleToken(text)}, token ${id}`);
      chip.append(piece, number);
      return chip;
    }));
  };
}

/** Bars of the most likely next tokens (rows rows); the first row is marked best. */
export function topTokenBars(container, rows = 8) {
  container.setAttribute('role', 'list');
  const items = Array.from({ length: rows }, () => {
    const row = document.createElement('div');
    const label = document.createElement('span');
    const track = document.createElement('span');
    const fill = document.createElement('span');
    const value = document.createElement('span');
    row.className = 'row';
    row.setAttribute('role', 'listitem');
    label.className = 'label';
    track.className = 'track';
    fill.className = 'fill';
    value.className = 'pct';
    track.append(fill);
    row.append(label, track, value);
    return { row, label, fill, value };
  });
  container.replaceChildren(...items.map((r) => r.row));
  return (entries) => {
    items.forEach(({ row, label, fill, value }, k) => {
      const e = entries?.[k];
      const percent = e ? `${(100 * e.p).toFixed(1)}%` : '';
      label.textContent = e ? visibleToken(e.text) : '';
      fill.style.width = percent || '0'; // CSSOM: allowed under a strict style-src
      value.textContent = percent;
      row.hidden = !e;
      row.classList.toggle('best', k === 0 && !!e);
      row.setAttribute('aria-label', e ? `${visibleToken(e.text)}: ${percent}` : '');
    });
  };
}

/** The k most likely tokens of a probability vector, as [{id, text, p}] (vocabulary: the text of each id). */
export function topTokens(probs, vocabulary, k) {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]).slice(0, k);
  return order.map((id) => ({ id, text: vocabulary[id] ?? `#${id}`, p: probs[id] }));
}
