// The threads training uses, as the pages show it beside their speed: from each progress event of the training
// worker (web/runtime/session.js). More than one when the page is cross-origin isolated (make demo
// serves it so: the README says which hosts can); a drop to one says a helper thread stopped, after which training
// goes on with one (wasm/threads.js).

/** Shows `threads` (a count, or undefined: nothing yet) in the element (a <dd>). */
export function showThreads(element, threads) {
  if (!Number.isInteger(threads)) return;
  const before = Number(element.dataset.value) || 0;
  element.dataset.value = String(threads);
  if (threads < before) element.dataset.lost = '1';
  element.textContent = element.dataset.lost && threads === 1 ? '1 (a helper thread stopped)' : String(threads);
  element.title = threads > 1 ? 'training splits its work over this many threads (a cross-origin isolated page)'
    : 'training runs on one thread: the page is not cross-origin isolated (see the README), or a helper thread stopped';
}

export { helperStopped, oneThreadFrom, RESTARTING_ON_ONE_THREAD } from '../../web/views/threads.js';
