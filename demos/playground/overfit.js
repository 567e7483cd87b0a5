// Overfitting, read from the two loss curves: the held-out (test) loss has risen well above its lowest point
// while the training loss kept falling. Pure logic on {steps, values} arrays (web/views/chart.js's Series), no DOM.

const MIN_TEST_POINTS = 4;
const RISE = 1.2;         // the latest test loss at least this many times its lowest...
const MIN_RISE = 0.02;    // ...and higher by at least this much (noise around a tiny loss is no trend)
const TRAIN_WINDOW = 5;   // training-loss points averaged around a step (one batch's loss is noisy)

// Mean of the last TRAIN_WINDOW training losses logged at or before `step` (NaN when none).
function trainLossAt(train, step) {
  let end = train.steps.length;
  while (end > 0 && train.steps[end - 1] > step) end--;
  const start = Math.max(0, end - TRAIN_WINDOW);
  if (end === start) return NaN;
  let sum = 0;
  for (let i = start; i < end; i++) sum += train.values[i];
  return sum / (end - start);
}

/**
 * {bestStep, bestLoss, latestLoss} when the test curve has climbed from its lowest point while the training
 * curve fell over the same steps; null otherwise. train, test: {steps, values}, steps increasing.
 */
export function overfitting(train, test) {
  const n = test.values.length;
  if (n < MIN_TEST_POINTS) return null;
  let best = 0;
  for (let i = 1; i < n; i++) if (test.values[i] < test.values[best]) best = i;
  const bestLoss = test.values[best], latestLoss = test.values[n - 1];
  if (best === n - 1 || latestLoss < bestLoss * RISE || latestLoss - bestLoss < MIN_RISE) return null;
  const bestStep = test.steps[best];
  const trainThen = trainLossAt(train, bestStep), trainNow = trainLossAt(train, test.steps[n - 1]);
  if (!(trainNow < trainThen)) return null;
  return { bestStep, bestLoss, latestLoss };
}
