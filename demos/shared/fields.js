// Parsers of the values a reader can put in a page's link (URL hash) or form, each throwing a message in the form's
// words (the field's label, what is allowed), so a reader who edited the link can act on it.

/** A number from lo to hi (a whole number when `integer`). */
export function num(label, lo, hi, integer) {
  return (s) => {
    const v = Number(s);
    if (s === '' || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
      throw new Error(`${label}: expected ${integer ? 'a whole number' : 'a number'} from ${lo} to ${hi}, got "${s}"`);
    }
    return v;
  };
}

/** One of the strings of `list`. */
export function oneOf(label, list) {
  return (s) => {
    if (!list.includes(s)) throw new Error(`${label}: expected one of ${list.join(', ')}, got "${s}"`);
    return s;
  };
}
