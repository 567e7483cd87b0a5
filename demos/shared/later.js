// Parts of a page marked `data-later` stay out of the frame that would show them all at once: the page's CSS gives
// them `content-visibility: hidden` (a placeholder box, nothing inside styled, laid out or painted) or, on digits,
// `display: none` (Chromium's form autofill lays out the form fields under content-visibility when the page has
// been parsed). This module shows them one per animation frame, in order, so a phone's main thread lays out and
// paints the page in several short tasks instead of one long one. The playground and text pages load it before
// their own module, so the parts in their markup are shown from the first frames on; digits imports it, so its
// parts are shown once its module has run. showLater() takes parts a page builds afterwards (a panel made in one go).

const queue = [];
let showing = null; // settles when the queue is empty

// After the next frame has been painted.
const afterNextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/** Hides `parts` (elements) now and shows them one a frame after the parts already waiting; settles when all are shown. */
export function showLater(parts) {
  for (const part of parts) {
    part.setAttribute('data-later', '');
    queue.push(part);
  }
  showing ??= (async () => {
    while (queue.length) {
      await afterNextFrame();
      queue.shift().removeAttribute('data-later');
    }
    showing = null;
  })();
  return showing;
}

showLater(document.querySelectorAll('[data-later]'));
