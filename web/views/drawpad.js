// The draw pad: a square canvas you write a digit on with a mouse, a pen or a finger (pointer events, so all
// three take the same path). Light ink on black, like MNIST. It reports changes; what a change means (preprocess,
// predict) is the page's business. Used by demos/digits and <tiny-train demo="digits"> (web/widget/digits.js).
//
//   const pad = new DrawPad(canvas, { onChange: (reason) => ..., penWidth: 20 });
//   pad.pixels()  -> {data: RGBA Uint8ClampedArray, width, height}      pad.clear()      pad.strokes

export class DrawPad {
  constructor(canvas, { onChange = () => {}, penWidth = 20 } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.onChange = onChange;
    this.penWidth = penWidth;
    this.strokes = 0;          // completed strokes since the last clear
    this.active = null;        // {id, x, y} of the pointer drawing now
    this.frame = 0;            // a pending requestAnimationFrame for in-stroke updates
    this.clear();
    // touch-action: none (in CSS) keeps a finger from scrolling the page instead of drawing.
    canvas.addEventListener('pointerdown', (e) => this.#down(e));
    canvas.addEventListener('pointermove', (e) => this.#move(e));
    canvas.addEventListener('pointerup', (e) => this.#up(e));
    canvas.addEventListener('pointercancel', (e) => this.#up(e));
  }

  clear() {
    const { ctx, canvas } = this;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.strokes = 0;
    this.canvas.dataset.strokes = '0';
    this.onChange('clear');
  }

  /** The canvas pixels (RGBA), for preprocessing. */
  pixels() {
    const { width, height } = this.canvas;
    return { data: this.ctx.getImageData(0, 0, width, height).data, width, height };
  }

  // Canvas coordinates of a pointer event (the canvas may be displayed at another size than its pixels).
  #point(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * this.canvas.width) / r.width, y: ((e.clientY - r.top) * this.canvas.height) / r.height };
  }

  // A pen's pressure thickens the line a little; mouse and touch report 0.5 (or 0) and get the plain width.
  #width(e) {
    return e.pointerType === 'pen' && e.pressure > 0 ? this.penWidth * (0.6 + 0.8 * e.pressure) : this.penWidth;
  }

  #down(e) {
    if (this.active || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    const p = this.#point(e);
    this.active = { id: e.pointerId, ...p };
    // A dot, so a tap (or the dot of a hand-written digit) leaves ink even without moving.
    const { ctx } = this;
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(p.x, p.y, this.#width(e) / 2, 0, 2 * Math.PI);
    ctx.fill();
    this.#schedule();
  }

  #move(e) {
    if (!this.active || e.pointerId !== this.active.id) return;
    e.preventDefault();
    // Coalesced events keep fast strokes smooth (the browser merges moves between frames).
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    const { ctx } = this;
    ctx.strokeStyle = '#fff';
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const ev of events.length ? events : [e]) {
      const p = this.#point(ev);
      ctx.lineWidth = this.#width(ev);
      ctx.beginPath();
      ctx.moveTo(this.active.x, this.active.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      this.active.x = p.x;
      this.active.y = p.y;
    }
    this.#schedule();
  }

  #up(e) {
    if (!this.active || e.pointerId !== this.active.id) return;
    this.active = null;
    this.strokes++;
    this.canvas.dataset.strokes = String(this.strokes);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.onChange('stroke'); // at once: the answer for the finished stroke never waits for a frame
  }

  // While drawing, at most one update per frame.
  #schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.onChange('drawing');
    });
  }
}
