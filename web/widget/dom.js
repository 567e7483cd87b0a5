// Small DOM helpers for the widget's panels loaded on demand (digits, text): an element with a class and children,
// and a panel's style sheet adopted into the widget's shadow root once (adopted sheets need no style-src).

/** document.createElement(tag) with className and children (nodes or strings) appended. */
export function element(tag, className, ...children) {
  const made = document.createElement(tag);
  made.className = className;
  made.append(...children);
  return made;
}

const sheets = new Map(); // css text -> CSSStyleSheet, shared by every widget on the page

/** Adopts the style sheet of `css` into the shadow root (or document) holding `node`, once. */
export function adoptStyles(node, css) {
  const root = node.getRootNode();
  let sheet = sheets.get(css);
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    sheets.set(css, sheet);
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
