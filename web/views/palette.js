// The colours every view draws with: one colour per class (the widget, the playground and the digits demo share
// them) and the surfaces the canvases are painted on, light and dark.

export const CLASS_COLORS = Object.freeze(['#ea781e', '#2563eb', '#16a34a', '#a855f7', '#dc2626', '#0891b2', '#ca8a04',
  '#db2777', '#4b5563', '#65a30d']);

/** Class k's colour (classes beyond the palette reuse it). */
export const classColor = (k) => CLASS_COLORS[k % CLASS_COLORS.length];

/** '#rrggbb' -> [r, g, b]. */
export const rgbOf = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

// A canvas's colours: its background, text and grid lines, and the ink of the reader's probe.
export const LIGHT = Object.freeze({ background: '#ffffff', text: '#59636e', grid: '#e6e8eb', ink: 'rgba(0, 0, 0, 0.8)' });
export const DARK = Object.freeze({ background: '#0d1117', text: '#9198a1', grid: '#3d444d', ink: '#e6edf3' });

/** The page's surface: DARK when the reader prefers a dark colour scheme. */
export function pageColors() {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? DARK : LIGHT;
}
