// The playground's network, drawn as TensorFlow Playground draws it: a column per layer (the two inputs, each hidden
// layer, the outputs), each unit a small map of what it responds to over the input plane, and the edges between
// units coloured by the sign of their weight (blue positive, orange negative) and as thick as its size. Hovering a
// unit shows its map large. The maps come from the page's copy of the weights: for each hidden layer a model made
// of the layers up to it (its weights are a prefix of the whole network's) predicts the layer's activations over a
// small grid in one batched call.
import { classColor, rgbOf, LIGHT } from '../../web/views/palette.js';
import { prepareCanvas } from '../../web/views/chart.js';

const TILE_RES = 20;     // each unit's map: 20 x 20 points of the plane
const ZOOM_RES = 64;     // the map shown large on hover
const MAX_SHOWN = 10;    // units drawn per layer; the rest are counted
const TILE = 26, GAP = 6, PAD = 14;

// Cell centres of a res x res grid over [lo, hi]^2, row 0 at the top: (res * res, 2).
function gridOf(res, [lo, hi]) {
  const g = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      g[2 * (r * res + c)] = lo + ((c + 0.5) / res) * (hi - lo);
      g[2 * (r * res + c) + 1] = hi - ((r + 0.5) / res) * (hi - lo);
    }
  }
  return g;
}

// Values (res * res) -> an image: orange below 0, blue above, the surface's background ([r, g, b]) at 0, scaled by
// the largest magnitude.
function valuesImage(values, res, stride, offset, background) {
  const image = new ImageData(res, res), d = image.data;
  const negative = rgbOf(classColor(0)), positive = rgbOf(classColor(1));
  let top = 1e-6;
  for (let i = 0; i < res * res; i++) top = Math.max(top, Math.abs(values[i * stride + offset]));
  for (let i = 0; i < res * res; i++) {
    const v = values[i * stride + offset] / top, c = v < 0 ? negative : positive, a = Math.min(1, Math.abs(v));
    d[4 * i] = background[0] + (c[0] - background[0]) * a;
    d[4 * i + 1] = background[1] + (c[1] - background[1]) * a;
    d[4 * i + 2] = background[2] + (c[2] - background[2]) * a;
    d[4 * i + 3] = 255;
  }
  return image;
}

export class NetworkView {
  /** canvas: where the network is drawn; zoom: a canvas shown over it with a unit's large map on hover. */
  constructor(canvas, zoom, { domain = [-1.25, 1.25] } = {}) {
    Object.assign(this, { canvas, zoom, domain });
    this.grid = gridOf(TILE_RES, domain);
    this.layers = [];   // per column: {units, kind, model (hidden layers)}
    this.edges = [];    // per pair of columns: {offset, inputs, outputs} of the dense weights between them
    this.weights = null;
    this.background = rgbOf(LIGHT.background); // the surface the maps fade to where a value is 0
    this.updates = 0;
    canvas.addEventListener('pointermove', (e) => this.#hover(e));
    canvas.addEventListener('pointerdown', (e) => this.#hover(e)); // a tap on a phone
    canvas.addEventListener('pointerleave', () => { this.zoom.hidden = true; this.hovered = null; });
  }

  /**
   * Makes the per-layer models for a spec whose hidden layers are dense (each with at most one activation after
   * it) and whose input has 2 features. Model: the wasm Model class. Returns false for other networks, and for a
   * build overtaken by a later one.
   */
  async build(spec, Model) {
    const token = this.token = (this.token ?? 0) + 1; // a later build wins; an earlier one frees what it made
    if (spec.input[0] !== 2) {
      this.dispose();
      return false;
    }
    const columns = [{ units: 2, kind: 'input' }], edges = [];
    let offset = 0, inputs = 2;
    for (let i = 0; i < spec.layers.length; i++) {
      const layer = spec.layers[i];
      if (layer.type !== 'dense') continue;
      const last = !spec.layers.slice(i + 1).some((l) => l.type === 'dense');
      const end = spec.layers[i + 1] && spec.layers[i + 1].type !== 'dense' ? i + 2 : i + 1;
      edges.push({ offset, inputs, outputs: layer.units });
      offset += layer.units * inputs + layer.units; // W (outputs, inputs) then the bias (outputs)
      inputs = layer.units;
      const column = { units: layer.units, kind: last ? 'output' : 'hidden' };
      columns.push(column);
      if (!last) column.model = await Model.create({ input: [2], layers: spec.layers.slice(0, end), loss: 'mse' });
    }
    if (token !== this.token) {
      for (const c of columns) c.model?.dispose();
      return false;
    }
    this.dispose();
    this.layers = columns;
    this.edges = edges;
    this.paramCount = offset;
    // Every unit's map in one image, column c's unit k at (c, k) tiles: one canvas to draw from, not one per unit.
    this.atlas = Object.assign(document.createElement('canvas'), { width: TILE_RES * columns.length, height: TILE_RES * MAX_SHOWN });
    this.atlasContext = this.atlas.getContext('2d');
    return true;
  }

  dispose() {
    for (const c of this.layers) c.model?.dispose();
    this.layers = [];
    this.weights = null;
  }

  /**
   * New weights (the predictor's, paramCount floats) and the whole model's predict (grid -> outputs) for the output
   * units' maps; colors: the page's surface (palette.js: background, text, grid).
   */
  update(weights, predictOutputs, colors = LIGHT) {
    const steps = this.updating(weights, predictOutputs, colors);
    while (!steps.next().done);
  }

  /**
   * update() in steps, for a frame loop with a budget: one column's maps per step, then the drawing. The weights
   * are the snapshot's own array (snapshots are fresh arrays), so a half-done update stays consistent.
   */
  *updating(weights, predictOutputs, colors = LIGHT) {
    if (!this.layers.length || weights.length !== this.paramCount) return;
    this.weights = weights;
    this.predictOutputs = predictOutputs;
    this.background = rgbOf(colors.background);
    for (const [c, column] of this.layers.entries()) {
      // The inputs' maps are the plane itself (x1 grows to the right, x2 upwards): two small tiles, no step of their own.
      const input = column.kind === 'input';
      const out = input ? this.grid : column.model ? this.#activations(column.model, this.grid) : predictOutputs(this.grid);
      const stride = input ? 2 : column.units;
      for (let k = 0; k < Math.min(column.units, MAX_SHOWN); k++) this.#putTile(c, k, valuesImage(out, TILE_RES, stride, k, this.background));
      if (!input) yield;
    }
    this.updates++;
    this.draw(colors);
  }

  #putTile(c, k, image) {
    this.atlasContext.putImageData(image, c * TILE_RES, k * TILE_RES);
  }

  #activations(model, grid) {
    model.setWeights(this.weights.subarray(0, model.paramCount));
    return model.predict(grid);
  }

  // Column c's x, and unit k's y, in CSS pixels.
  #layout(w) {
    const n = this.layers.length;
    return { x: (c) => PAD + (c * (w - 2 * PAD - TILE)) / Math.max(1, n - 1), y: (k) => PAD + 12 + k * (TILE + GAP) };
  }

  /** Draws the edges, then the tiles; the canvas is as tall as the tallest column. */
  draw(colors = LIGHT) {
    if (!this.layers.length) return;
    const shownMax = Math.max(...this.layers.map((c) => Math.min(c.units, MAX_SHOWN)));
    const height = `${2 * PAD + 24 + shownMax * (TILE + GAP)}px`;
    if (this.canvas.style.height !== height) this.canvas.style.height = height; // a new height means a new layout
    const { ctx, w } = prepareCanvas(this.canvas);
    const { x, y } = this.#layout(w);
    ctx.clearRect(0, 0, w, this.canvas.clientHeight);
    if (this.weights) {
      // Edges in a few paths (two signs x four sizes), not one stroke each: a few hundred lines stay cheap.
      const paths = Array.from({ length: 8 }, () => new Path2D());
      this.edges.forEach(({ offset, inputs, outputs }, e) => {
        let top = 1e-6;
        for (let i = 0; i < inputs * outputs; i++) top = Math.max(top, Math.abs(this.weights[offset + i]));
        for (let j = 0; j < Math.min(outputs, MAX_SHOWN); j++) {
          for (let i = 0; i < Math.min(inputs, MAX_SHOWN); i++) {
            const v = this.weights[offset + j * inputs + i] / top;
            const path = paths[(v < 0 ? 0 : 4) + Math.min(3, Math.floor(4 * Math.abs(v)))];
            path.moveTo(x(e) + TILE, y(i) + TILE / 2);
            path.lineTo(x(e + 1), y(j) + TILE / 2);
          }
        }
      });
      paths.forEach((path, b) => {
        const size = (b % 4) / 3; // 0 .. 1
        ctx.strokeStyle = classColor(b < 4 ? 0 : 1);
        ctx.globalAlpha = 0.2 + 0.6 * size;
        ctx.lineWidth = 0.5 + 3 * size;
        ctx.stroke(path);
      });
      ctx.globalAlpha = 1;
    }
    ctx.imageSmoothingEnabled = true;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = colors.text;
    ctx.textAlign = 'left';
    this.layers.forEach((column, c) => {
      const name = column.kind === 'input' ? 'inputs' : column.kind === 'output' ? 'outputs' : `layer ${c}`;
      ctx.fillText(name, x(c), PAD + 4);
      ctx.strokeStyle = colors.grid;
      ctx.lineWidth = 1;
      for (let k = 0; k < Math.min(column.units, MAX_SHOWN); k++) {
        ctx.drawImage(this.atlas, c * TILE_RES, k * TILE_RES, TILE_RES, TILE_RES, x(c), y(k), TILE, TILE);
        ctx.strokeRect(x(c) - 0.5, y(k) - 0.5, TILE + 1, TILE + 1);
      }
      if (column.units > MAX_SHOWN) ctx.fillText(`+${column.units - MAX_SHOWN} more`, x(c), y(MAX_SHOWN) + 10);
    });
  }

  /** Unit [c, k]'s tile in CSS pixels of the canvas: {x, y, size}. */
  unitBox([c, k]) {
    const { x, y } = this.#layout(this.canvas.clientWidth);
    return { x: x(c), y: y(k), size: TILE };
  }

  // The unit under the pointer, as [column, unit], or null.
  unitAt(px, py) {
    if (!this.layers.length) return null;
    const { x, y } = this.#layout(this.canvas.clientWidth);
    for (let c = 0; c < this.layers.length; c++) {
      if (px < x(c) || px > x(c) + TILE) continue;
      const k = Math.floor((py - y(0)) / (TILE + GAP));
      if (k >= 0 && k < Math.min(this.layers[c].units, MAX_SHOWN) && py - y(k) <= TILE) return [c, k];
    }
    return null;
  }

  #hover(e) {
    const hit = this.unitAt(e.offsetX, e.offsetY);
    if (!hit) { this.zoom.hidden = true; this.hovered = null; return; }
    this.hovered = hit;
    this.showLarge(hit, e.offsetX, e.offsetY);
  }

  /** Shows unit [c, k]'s map at ZOOM_RES beside (px, py); returns false when there is nothing to show yet. */
  showLarge([c, k], px = 0, py = 0) {
    const predictOutputs = this.predictOutputs;
    const column = this.layers[c];
    if (!column || (column.kind !== 'input' && !this.weights)) return false;
    const grid = gridOf(ZOOM_RES, this.domain);
    let image;
    if (column.kind === 'input') image = valuesImage(grid, ZOOM_RES, 2, k, this.background);
    else {
      const out = column.model ? this.#activations(column.model, grid) : predictOutputs(grid);
      image = valuesImage(out, ZOOM_RES, column.units, k, this.background);
    }
    const z = this.zoom;
    z.width = z.height = ZOOM_RES;
    z.getContext('2d').putImageData(image, 0, 0);
    z.style.left = `${Math.min(px + 16, this.canvas.clientWidth - 170)}px`;
    z.style.top = `${Math.max(0, py - 80)}px`;
    const name = column.kind === 'input' ? `input x${k + 1}` : column.kind === 'output' ? `output ${k}` : `layer ${c}, unit ${k + 1}`;
    z.setAttribute('aria-label', `What ${name} responds to over the input plane`);
    z.title = name;
    z.hidden = false;
    return true;
  }
}
