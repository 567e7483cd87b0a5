// The widget's shadow DOM: its markup (static: no value from an attribute is ever parsed as HTML) and its style
// sheet, adopted as a constructed CSSStyleSheet so it works under a CSP without 'unsafe-inline' styles.

export const HTML = `<div class="root">
<div class="msg" role="alert" hidden></div>
<div class="panels">
 <section class="train" aria-label="Training">
  <h3>Training <small>in a Web Worker</small></h3>
  <div class="bar" role="group" aria-label="Training controls">
   <button type="button" class="go">Train</button>
   <button type="button" class="step" title="10 training steps">Step</button>
   <button type="button" class="reset">Reset</button>
   <label class="lr knob">Learning rate <select></select></label>
   <label class="batch-size knob">Batch <select></select></label>
  </div>
  <canvas class="chart" role="img" aria-label="Loss curve"></canvas>
  <progress class="done" max="1" value="0" aria-label="Training progress"></progress>
  <p class="stats"><span>step <b class="s-step">0</b></span> <span>loss <b class="s-loss">–</b></span>
   <span>test accuracy <b class="s-acc">–</b></span> <span><b class="s-rate">–</b> samples/s</span></p>
 </section>
 <section class="infer" aria-label="Inference">
  <h3>Inference <small>on this page</small></h3>
  <canvas class="map" role="img" aria-label="The model's answer over the input plane; point or click to ask about a point"></canvas>
  <div class="inputs" role="group" aria-label="Your input"></div>
  <p class="pred">prediction <output class="out">–</output> <span class="lat"></span></p>
 </section>
</div>
<p class="status" role="status" aria-live="polite"></p></div>`;

export const CSS = `
:host { all: initial; display: block; max-width: 100%; margin: 1em 0; contain: content; }
:host([hidden]) { display: none; }
.root { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; --bg: #fff; --fg: #1f2328; --muted: #59636e;
  --line: #d1d9e0; --panel: #f6f8fa; --accent: #2563eb; color: var(--fg); background: var(--bg);
  border: 1px solid var(--line); border-radius: 8px; padding: 10px; text-align: left; }
.root.dark { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23; --accent: #4493f8; }
*, *::before, *::after { box-sizing: border-box; }
.panels { display: flex; flex-wrap: wrap; gap: 10px; }
section { flex: 1 1 260px; min-width: 0; background: var(--panel); border-radius: 6px; padding: 8px; }
h3 { font-size: 14px; margin: 0 0 6px; } small { color: var(--muted); font-weight: normal; }
.bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
button, select, input { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line);
  border-radius: 5px; padding: 3px 9px; margin: 0; }
button:disabled { opacity: .5; } button.go { background: var(--accent); border-color: var(--accent); color: #fff; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
label { color: var(--muted); font-size: 12px; } .knob[hidden] { display: none; } select { padding: 2px 4px; }
canvas { display: block; width: 100%; border-radius: 4px; } .chart { height: 130px; }
.map { aspect-ratio: 1; max-width: 260px; margin: 0 auto; cursor: crosshair; touch-action: none; }
progress { width: 100%; height: 6px; accent-color: var(--accent); }
.stats, .pred, .status { margin: 4px 0 0; font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.stats span { white-space: nowrap; margin-right: 6px; } b, output { color: var(--fg); }
.inputs { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; } .inputs input { width: 6.5em; padding: 2px 4px; }
output { font-weight: 600; } .sw { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: 3px; }
.msg { background: #fff4e5; color: #7a3e00; border: 1px solid #f0b76a; border-radius: 5px; padding: 6px 8px;
  margin-bottom: 8px; overflow-wrap: anywhere; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }`;
