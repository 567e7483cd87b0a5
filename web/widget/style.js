// The widget's shadow DOM: fixed markup (attribute values are never parsed as HTML) and a constructed style sheet,
// adopted, so a strict CSP needs no style-src. `all: initial` on .root keeps the host's inherited text styles out.
// The first class of an element is its name in the widget's code (tiny-train.js). The root is hidden until the
// widget's first frame, which lays it out whole, with its data's inputs.

const TRAINING = `
  <section class="training" aria-label="Training">
    <h3>Training <small>in a Web Worker</small></h3>
    <div class="bar" role="group" aria-label="Training controls">
      <button class="go">Train</button>
      <button class="step">Step</button>
      <button class="reset">Reset</button>
      <label class="lr">Learning rate <select></select></label>
      <label class="batch-size">Batch <select></select></label>
      <label class="speed">Speed <select></select></label>
    </div>
    <canvas class="chart" role="img" aria-label="Loss curve"></canvas>
    <progress class="done" aria-label="Training progress" value="0"></progress>
    <p>
      step <b class="s-step">0</b> · loss <b class="s-loss">–</b> · test accuracy <b class="s-acc">–</b> ·
      <b class="s-rate">–</b> samples/s
    </p>
  </section>`;

const INFERENCE = `
  <section class="inference" aria-label="Inference">
    <h3>Inference <small>on this page</small></h3>
    <canvas class="map" role="img" aria-label="The model's answer over the input plane: point or click"></canvas>
    <div class="inputs" role="group" aria-label="Your input"></div>
    <p>prediction <output class="out">–</output> <span class="lat"></span></p>
  </section>`;

export const HTML = `
<div class="root" hidden>
  <div class="msg" role="alert" hidden></div>
  <div class="panels">${TRAINING}${INFERENCE}
  </div>
  <p class="status" role="status" aria-live="polite"></p>
</div>`;

const HOST = `
:host {
  all: initial;
  display: block;
  margin: 1em 0;
  contain: content;
}
:host([hidden]), [hidden] {
  display: none !important;
}`;

const THEME = `
.root {
  all: initial;
  display: block;
  --bg: #fff;
  --fg: #1f2328;
  --mute: #59636e;
  --line: #d1d9e0;
  --panel: #f6f8fa;
  --accent: #2563eb;
  --on-accent: #fff;
  font: 14px/1.4 system-ui, sans-serif;
  color: var(--fg);
  background: var(--bg);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 10px;
}
.root.dark {
  color-scheme: dark;
  --bg: #0d1117;
  --fg: #e6edf3;
  --mute: #9198a1;
  --line: #3d444d;
  --panel: #151b23;
  --accent: #4493f8;
  --on-accent: #0d1117;
}`;

const LAYOUT = `
.panels, .bar, .inputs {
  display: flex;
  flex-wrap: wrap;
  gap: 8px;
  align-items: center;
}
.panels {
  align-items: start;
}
section {
  flex: 1 1 260px;
  min-width: 0;
  background: var(--panel);
  border-radius: 6px;
  padding: 8px;
}
h3 {
  font-size: 14px;
  margin: 0 0 6px;
}
small, p, label {
  color: var(--mute);
  font-size: 12px;
}
p {
  margin: 4px 0 0;
}`;

const CONTROLS = `
button, select, input {
  font: inherit;
  color: inherit;
  background: var(--bg);
  border: 1px solid var(--line);
  border-radius: 5px;
  padding: 3px 8px;
}
.go {
  background: var(--accent);
  color: var(--on-accent);
}
:disabled {
  opacity: .5;
}
:focus-visible {
  outline: 2px solid var(--accent);
}
input {
  width: 6em;
}
progress {
  width: 100%;
  height: 6px;
  accent-color: var(--accent);
}`;

const VIEWS = `
canvas {
  display: block;
  width: 100%;
  margin-top: 6px;
}
.chart {
  height: 130px;
}
.map {
  aspect-ratio: 1;
  max-width: 260px;
  margin: 6px auto;
  cursor: crosshair;
  touch-action: none;
}
b, output {
  color: var(--fg);
  font-variant-numeric: tabular-nums;
}
.sw {
  display: inline-block;
  width: .8em;
  height: .8em;
  margin-right: 3px;
}
.msg {
  background: #fff4e5;
  color: #7a3e00;
  border-radius: 5px;
  padding: 6px 8px;
  margin-bottom: 8px;
  overflow-wrap: anywhere;
}`;

export const CSS = [HOST, THEME, LAYOUT, CONTROLS, VIEWS].join('\n');
