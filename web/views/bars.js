// A classifier's answer as one bar per class: the probability as the bar's length and as a number, the most likely
// class marked (class "best"). Used by the <tiny-train demo="digits"> widget and the Digits demo; the page's CSS
// styles .row, .track, .fill and .pct.
//
//   const show = probabilityBars(container, 10);   show(probs) -> index of the best class; show(null) empties it

/** One bar: a list item .row holding a .label, a .track with its .fill, and the value as .pct. */
export function barRow() {
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
}

export function probabilityBars(container, classes = 10) {
  container.setAttribute('role', 'list');
  const rows = Array.from({ length: classes }, (_, k) => {
    const bar = barRow();
    bar.label.textContent = String(k);
    return bar;
  });
  container.replaceChildren(...rows.map((r) => r.row));
  return (probs) => {
    let best = -1;
    if (probs) {
      best = 0;
      for (let k = 1; k < classes; k++) if (probs[k] > probs[best]) best = k;
    }
    rows.forEach(({ row, fill, value }, k) => {
      const percent = probs ? `${(100 * probs[k]).toFixed(1)}%` : '';
      fill.style.width = percent || '0'; // CSSOM: allowed under a strict style-src
      value.textContent = percent;
      row.classList.toggle('best', k === best);
      row.setAttribute('aria-label', percent ? `${k}: ${percent}` : `${k}`);
    });
    return best;
  };
}
