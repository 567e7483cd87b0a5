// Sampling on the page for the text demo, with no DOM: seeded draws from a language model's next-token
// probabilities that keep each draw's log-probability, "best of N" (N draws ranked by the model's own
// log-probability), and words picked one after another as a list goes on.
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

/**
 * Picks words one after another as a list of words goes on: each pick is the best of N draws after the words picked
 * so far (the last `window` tokens of the list, which starts with the token `start`, a newline), so every draw
 * has the context a line sampled from a stream has. A generator: one pick ({ids, logProb}) per next().
 */
export function* pickWords(model, { n, start, window, isEnd, maxTokens = 16, random }) {
  const list = [start];
  for (;;) {
    const [best] = bestOfN(model, list.slice(-window), n, { isEnd, maxTokens, random });
    yield best;
    list.push(...best.ids);
    if (!isEnd(best.ids[best.ids.length - 1])) list.push(start); // a draw cut at maxTokens still ends its line
  }
}
