// Sampling on the page for the text demo, with no DOM: seeded draws from a language model's next-token
// probabilities that keep each draw's log-probability, "best of N" (N draws ranked by the model's own
// log-probability), and how many of the sampled words are words of the corpus.
//
// Each draw calls model.nextTokenProbabilities once per token (the whole context each time, no cache): a few
// hundred µs for the page's models, so the page runs draws in slices between frames.

/** A seeded generator of floats in [0, 1) (mulberry32): the same seed gives the same draws. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One draw at temperature 1 after `prompt` (token ids), until a token for which isEnd(id) holds (included) or
 * maxTokens tokens.
 * Returns {ids, logProb}: the drawn ids (without the prompt) and the natural log of their joint probability.
 */
export function drawSequence(model, prompt, { isEnd = () => false, maxTokens = 16, random }) {
  const context = Array.from(prompt);
  const ids = [];
  let logProb = 0;
  for (let i = 0; i < maxTokens; i++) {
    const p = model.nextTokenProbabilities(context);
    let u = random(), id = p.length - 1;
    for (let k = 0; k < p.length; k++) {
      u -= p[k];
      if (u < 0) { id = k; break; }
    }
    logProb += Math.log(Math.max(p[id], 1e-30));
    ids.push(id);
    context.push(id);
    if (isEnd(id)) break;
  }
  return { ids, logProb };
}

/** N draws, the most probable first (by the model's own log-probability of each whole draw). */
export function bestOfN(model, prompt, n, options) {
  const draws = Array.from({ length: n }, () => drawSequence(model, prompt, options));
  return draws.sort((a, b) => b.logProb - a.logProb);
}

/** The words of a text: runs of letters (any script) and apostrophes, lower-cased. */
export function wordsOf(text) {
  return text.toLowerCase().match(/[\p{L}']+/gu) || [];
}

/** {real, total}: how many of the words of `text` are in the set `known`. */
export function countRealWords(text, known) {
  let real = 0, total = 0;
  for (const w of wordsOf(text)) {
    total++;
    if (known.has(w)) real++;
  }
  return { real, total };
}
