// The arithmetic of the cost panel (web/views/costs.js), without DOM: when serving has used as much compute as
// training did, what a day of serving costs, the standard estimates for a model the reader names, energy from CPU
// time, and the numbers' words. A "prediction" is whatever the page serves: one answer, or one token of text.

// The standard estimates for a dense transformer-like model of N parameters: training takes about 6 FLOPs per
// parameter and training token (2 forward, 4 backward), inference about 2 per parameter and generated token.
export const TRAIN_FLOPS_PER_PARAM_TOKEN = 6;
export const INFER_FLOPS_PER_PARAM_TOKEN = 2;
// The watts the energy estimate assumes until the reader sets their own: one busy laptop CPU core.
export const DEFAULT_WATTS = 15;
// A model to scale up to until the reader names one: 7 billion parameters trained on 2 trillion tokens, answers of
// 500 tokens, 100 million questions a day.
export const DEFAULT_SCALE = Object.freeze({ params: 7e9, tokens: 2e12, answerTokens: 500, queriesPerDay: 1e8 });

const positive = (v) => Number.isFinite(v) && v > 0;

/**
 * Serving against training, by compute: after how many predictions serving has done as many FLOPs as training
 * did, and with `perDay` predictions a day, on which day (1 = the first) and what a day costs.
 *   trainingFlops, flopsPerPrediction: FLOPs; perDay: predictions a day;
 *   secondsPerPrediction: CPU time of one prediction (e.g. p50 at batch 1), for CPU-seconds a day;
 *   trainingCpuSeconds: optional, for the same break-even by measured time.
 * Unknown inputs give NaN results, never a made-up number.
 */
export function breakEven({ trainingFlops, flopsPerPrediction, perDay = NaN, secondsPerPrediction = NaN,
  trainingCpuSeconds = NaN }) {
  const predictions = positive(trainingFlops) && positive(flopsPerPrediction) ? trainingFlops / flopsPerPrediction : NaN;
  const days = positive(perDay) ? predictions / perDay : NaN;
  return {
    predictions,
    days,
    day: Number.isFinite(days) ? Math.max(1, Math.ceil(days)) : NaN,
    flopsPerDay: positive(perDay) && positive(flopsPerPrediction) ? perDay * flopsPerPrediction : NaN,
    cpuSecondsPerDay: positive(perDay) && positive(secondsPerPrediction) ? perDay * secondsPerPrediction : NaN,
    predictionsByTime: positive(trainingCpuSeconds) && positive(secondsPerPrediction)
      ? trainingCpuSeconds / secondsPerPrediction : NaN,
  };
}

/**
 * The standard estimates for a model of `params` parameters trained on `tokens` tokens, answering `queriesPerDay`
 * questions of `answerTokens` tokens each: training ~6·N·D, inference ~2·N per token. The break-even count is
 * 6·N·D / (2·N·L) = 3·D / L answers, whatever N is.
 */
export function scaleUp({ params, tokens, answerTokens, queriesPerDay }) {
  const trainingFlops = TRAIN_FLOPS_PER_PARAM_TOKEN * params * tokens;
  const flopsPerToken = INFER_FLOPS_PER_PARAM_TOKEN * params;
  const flopsPerAnswer = flopsPerToken * answerTokens;
  const breakEvenAnswers = trainingFlops / flopsPerAnswer;
  return {
    trainingFlops, flopsPerToken, flopsPerAnswer,
    flopsPerDay: flopsPerAnswer * queriesPerDay,
    breakEvenAnswers,
    breakEvenDays: breakEvenAnswers / queriesPerDay,
  };
}

/** The same rule of thumb applied to the toy model, to set beside what was measured: 6·N per training sample and
 * 2·N per prediction, for N parameters. */
export function ruleOfThumb(params, samples) {
  return {
    trainingFlops: TRAIN_FLOPS_PER_PARAM_TOKEN * params * samples,
    flopsPerPrediction: INFER_FLOPS_PER_PARAM_TOKEN * params,
  };
}

/** Watt-hours of `cpuSeconds` at `watts`. */
export const wattHours = (watts, cpuSeconds) => (positive(watts) && cpuSeconds >= 0 ? (watts * cpuSeconds) / 3600 : NaN);

/**
 * A number the reader typed: "7e9", "7,000,000,000", "7 billion", "7B", "2T", "500", "1.5M". Throws an Error
 * naming the field and what is expected.
 */
export function parseAmount(name, text, { min = 0, max = 1e30, whole = false } = {}) {
  const s = String(text).trim().toLowerCase().replace(/[,_\s](?=\d)/g, '');
  const m = /^(\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+)\s*(k|thousand|m|million|b|bn|billion|t|trillion)?$/.exec(s);
  const scale = { k: 1e3, thousand: 1e3, m: 1e6, million: 1e6, b: 1e9, bn: 1e9, billion: 1e9, t: 1e12, trillion: 1e12 };
  const v = m ? Number(m[1]) * (m[2] ? scale[m[2]] : 1) : NaN;
  if (!(v >= min && v <= max) || (whole && !Number.isInteger(v))) {
    throw new Error(`${name}: expected ${whole ? 'a whole number' : 'a number'} from ${formatCount(min)} to ` +
      `${formatCount(max)} (such as 7e9, 7B or 7 billion), got "${String(text).slice(0, 40)}"`);
  }
  return v;
}

// ---- words for numbers

const SI = [[1e24, 'Y'], [1e21, 'Z'], [1e18, 'E'], [1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** "203.5 kFLOP", "1.21 EFLOP"; beyond yotta, "3.0e27 FLOP". */
export function formatFlops(f) {
  if (!Number.isFinite(f) || f < 0) return '–';
  if (f >= 1e27) return `${f.toExponential(1)} FLOP`;
  for (const [d, p] of SI) if (f >= d) return `${(f / d).toPrecision(3)} ${p}FLOP`;
  return `${Math.round(f)} FLOP`;
}

const WORDS = [[1e12, 'trillion'], [1e9, 'billion'], [1e6, 'million']];

/** "812", "45,300", "2.4 million", "1.2 trillion", "3.0e15"; "< 1" for a count that is not yet one. */
export function formatCount(n) {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n > 0 && n < 1) return '< 1';
  if (n >= 1e15) return n.toExponential(1);
  for (const [d, w] of WORDS) if (n >= d) return `${(n / d).toPrecision(3)} ${w}`;
  return String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** Seconds as "850 µs", "12 ms", "4.2 s", "3.1 min", "2.5 h", "4.0 days", "12 years". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 1e-3) return `${+(seconds * 1e6).toPrecision(2)} µs`;
  if (seconds < 1) return `${+(seconds * 1e3).toPrecision(3)} ms`;
  if (seconds < 60) return `${seconds.toPrecision(2)} s`;
  if (seconds < 3600) return `${(seconds / 60).toPrecision(2)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toPrecision(2)} h`;
  return formatDays(seconds / 86400);
}

/** Days as "0.3 days", "12 days", "4.1 years", "3.2 million years". */
export function formatDays(days) {
  if (!Number.isFinite(days) || days < 0) return '–';
  if (days < 365) return `${days < 10 ? days.toPrecision(2) : Math.round(days)} days`;
  return `${formatCount(days / 365.25).replace(/^< 1$/, '1')} years`;
}

/** Energy: "0.42 mWh", "3.1 Wh", "2.0 kWh", "5.5 GWh". */
export function formatWattHours(wh) {
  if (!Number.isFinite(wh) || wh < 0) return '–';
  if (wh < 1) return `${(wh * 1000).toPrecision(2)} mWh`;
  for (const [d, p] of SI) if (wh >= d) return `${(wh / d).toPrecision(2)} ${p}Wh`;
  return `${wh.toPrecision(2)} Wh`;
}
