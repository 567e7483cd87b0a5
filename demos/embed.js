// The iframe embed (embed.html): one <tiny-train> whose attributes are the page's query parameters, in a page that
// tells its parent how tall it is and what the widget does, by postMessage:
//   {source: 'tiny-train', type: 'resize', id, height}        whenever the content's height changes (CSS pixels)
//   {source: 'tiny-train', type: 'event', id, event, detail}  for each of the widget's events (ready, progress, ...)
// id is the `id` query parameter (empty when absent), so a parent with several frames can tell them apart (or
// compare event.source with each frame's contentWindow). Nothing here is secret, so any parent may listen ('*').
// The element module is loaded by embed.html itself; this script needs nothing but the DOM. The query parameter
// `title` names the frame's page (for screen readers).
const EVENTS = ['ready', 'progress', 'snapshot', 'trained', 'error', 'generated'];

// Runs in the frame's page only (a server-side renderer may import every shipped file in Node); in a task after the
// one that evaluates the page's modules, so a phone's main thread runs those and the widget's start one at a time.
if (globalThis.document) setTimeout(embed);

function embed() {
  const params = new URLSearchParams(location.search);
  const id = params.get('id') ?? '';
  const tell = (message) => {
    if (window.parent !== window) window.parent.postMessage({ source: 'tiny-train', id, ...message }, '*');
  };

  // The frame's page: no margins, the widget full width (styles through the CSSOM, which CSP does not restrict).
  Object.assign(document.documentElement.style, { background: 'transparent' });
  Object.assign(document.body.style, { margin: '0' });

  const widget = document.createElement('tiny-train');
  for (const [name, value] of params) { // the widget checks the values
    if (name !== 'id' && name !== 'title' && /^[a-z][a-z-]*$/.test(name)) widget.setAttribute(name, value);
  }
  if (params.has('title')) document.title = params.get('title');
  for (const type of EVENTS) widget.addEventListener(type, (e) => tell({ type: 'event', event: type, detail: e.detail }));
  document.body.append(widget);

  // The height the parent should give the frame: the document's, as the widget loads and as panels open.
  let lastHeight = -1;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) tell({ type: 'resize', height: (lastHeight = height) });
  }).observe(document.documentElement);
}
