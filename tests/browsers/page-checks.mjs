// The page side of the cross-browser checks (tests/browsers/reader-suite.mjs), the same in Chromium, Firefox and
// WebKit: the host page's recorder script, the worker that forwards its console, and functions the suite runs in
// the page (each self-contained: it is serialised and sent to the browser).
//
// The recorder collects what a reader's console would show, in the page itself, since WebKit's WebDriver cannot
// read the console: console.error calls, uncaught exceptions and unhandled rejections, in the page and in the
// widgets' workers. A worker's reach the page over a BroadcastChannel: the recorder starts each widget's worker
// from FORWARDING_WORKER, a module that installs the forwarding and then imports the dist worker unchanged.

export const FORWARDING_WORKER = '/tests/e2e/host/worker.js';
const WORKER_CONSOLE = '/tests/e2e/host/worker-console.js';
const CHANNEL = 'tt-worker-problems';

const describe = `const describe = (args) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');`;

/** The recorder (the host page's first script) for a site whose dist folder is `dist` (a path on the site). */
export function recorder(dist) {
  return `const log = { events: [], acc: {}, csp: [], problems: [], workers: [] };
Object.defineProperty(window, 'ttLog', { value: log, enumerable: false });
for (const type of ['ready', 'progress', 'trained', 'generated', 'error']) {
  document.addEventListener(type, (e) => {
    if (e.target.localName !== 'tiny-train') return;
    const d = e.detail, id = e.target.id;
    if (type === 'progress') { if (Number.isFinite(d.testAccuracy)) (log.acc[id] ||= []).push([d.metricsStep, d.testAccuracy]); return; }
    log.events.push({ id, type, ...d });
  });
}
document.addEventListener('securitypolicyviolation', (e) => log.csp.push(e.violatedDirective + ' ' + e.blockedURI));
${describe}
const pageConsoleError = console.error;
console.error = (...args) => { log.problems.push('page console: ' + describe(args)); pageConsoleError.apply(console, args); };
addEventListener('error', (e) => log.problems.push('page uncaught: ' + e.message));
addEventListener('unhandledrejection', (e) => log.problems.push('page unhandled rejection: ' + describe([e.reason])));
new BroadcastChannel(${JSON.stringify(CHANNEL)}).onmessage = (e) => log.problems.push(e.data);
const RealWorker = window.Worker;
window.Worker = class extends RealWorker {
  constructor(url, options) {
    const u = new URL(url, location.href);
    if (u.pathname === ${JSON.stringify(`${dist}/worker.js`)}) u.pathname = ${JSON.stringify(FORWARDING_WORKER)};
    super(u, options);
    log.workers.push(u.pathname);
    this.addEventListener('error', (e) => log.problems.push('worker error: ' + (e.message || 'the worker script failed to load')));
  }
};`;
}

/** The files the recorder needs besides itself ({url path: body}), for a site whose dist folder is `dist`. */
export function forwardingWorkerFiles(dist) {
  return {
    [WORKER_CONSOLE]: `${describe}
const channel = new BroadcastChannel(${JSON.stringify(CHANNEL)});
const workerConsoleError = console.error;
console.error = (...args) => { channel.postMessage('worker console: ' + describe(args)); workerConsoleError.apply(console, args); };
self.addEventListener('error', (e) => channel.postMessage('worker uncaught: ' + e.message));
self.addEventListener('unhandledrejection', (e) => channel.postMessage('worker unhandled rejection: ' + describe([e.reason])));`,
    // imports run in order: the forwarding is in place before the worker's first line
    [FORWARDING_WORKER]: `import ${JSON.stringify(WORKER_CONSOLE)};\nimport ${JSON.stringify(`${dist}/worker.js`)};`,
  };
}

/**
 * A worker for checking the recorder itself (not one of the widget's): it logs an error on its console, then throws
 * uncaught, with the same forwarding installed first.
 */
export const NOISY_WORKER = '/tests/e2e/host/noisy-worker.js';
export const noisyWorkerFile = () => ({
  [NOISY_WORKER]: `import ${JSON.stringify(WORKER_CONSOLE)};
console.error('noisy worker: an error on the console');
setTimeout(() => { throw new Error('noisy worker: uncaught'); });`,
});

// ---- run in the page -----------------------------------------------------------------------------------------

/** What the recorder saw: {problems, csp, workers} (workers: the script path of each Worker the page started). */
export const recorded = () => ({ problems: [...window.ttLog.problems], csp: [...window.ttLog.csp], workers: [...window.ttLog.workers] });

/** The first event of `type` from widget `id`, or undefined. */
export const eventOf = ([id, type]) => window.ttLog.events.find((e) => e.id === id && e.type === type);

/** The held-out accuracies of widget `id`'s progress events ([[step, accuracy], ...]), undefined before the first. */
export const accuracies = (id) => window.ttLog.acc[id];

/** Property `what` (default textContent) of the first element matching `selector` in widget `id`'s shadow root. */
export const shadowProperty = ([id, selector, what = 'textContent']) => {
  const el = document.getElementById(id).shadowRoot.querySelector(selector);
  return what === 'dataset' ? { ...el.dataset } : el[what];
};

/** The centre (viewport coordinates) of the button labelled `label` in widget `id`, scrolled into view. */
export const buttonCentre = ([id, label]) => {
  const button = [...document.getElementById(id).shadowRoot.querySelectorAll('button')].find((b) => b.textContent.trim() === label);
  if (!button) return null;
  button.scrollIntoView({ block: 'center' });
  const r = button.getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
};

/** The digits pad of widget `id`, scrolled into view: its box in viewport coordinates. */
export const padBox = (id) => {
  const pad = document.getElementById(id).shadowRoot.querySelector('canvas.pad');
  pad.scrollIntoView({ block: 'center' });
  const r = pad.getBoundingClientRect();
  return { x: r.x, y: r.y, width: r.width, height: r.height };
};

/** Widget `id`'s answer for the point (a, b) typed into its inputs: the text of its output line. */
export const answerFor = ([id, a, b]) => {
  const root = document.getElementById(id).shadowRoot, inputs = root.querySelectorAll('.inputs input');
  inputs[0].value = a;
  inputs[1].value = b;
  inputs[1].dispatchEvent(new Event('input', { bubbles: true }));
  return root.querySelector('.out').textContent;
};

/**
 * The box of the first <select> in widget `id` (or on the page, when there is no such widget), scrolled into view, in
 * screenshot pixels (viewport coordinates times the device pixel ratio), less its border.
 */
export const selectBox = async (id) => {
  const select = (document.getElementById(id)?.shadowRoot ?? document).querySelector('select');
  select.scrollIntoView({ block: 'center' });
  for (let i = 0; i < 2; i++) await new Promise(requestAnimationFrame); // painted where it now is
  const r = select.getBoundingClientRect(), s = devicePixelRatio, inset = 3;
  return { x: (r.x + inset) * s, y: (r.y + inset) * s, width: (r.width - 2 * inset) * s, height: (r.height - 2 * inset) * s };
};

/** The labels of the next-token bars of text widget `id`, after `prefix` is typed into it (when given). */
export const nextTokens = ([id, prefix]) => {
  const root = document.getElementById(id).shadowRoot;
  if (prefix !== undefined) {
    const box = root.querySelector('.tx-prefix');
    box.value = prefix;
    box.dispatchEvent(new Event('input'));
  }
  return [...root.querySelectorAll('.tx-top .row')].map((r) => ({ token: r.querySelector('.label').textContent,
    percent: parseFloat(r.querySelector('.pct').textContent) }));
};

/** The background colour of widget `id`'s surface and what its theme attribute says. */
export const surface = (id) => {
  const w = document.getElementById(id);
  return { theme: w.getAttribute('theme'), background: getComputedStyle(w.shadowRoot.querySelector('.root')).backgroundColor,
    systemDark: matchMedia('(prefers-color-scheme: dark)').matches };
};
