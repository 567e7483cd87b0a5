// The article's prose reacts to its two widgets through their events (ready, progress, trained, error): the
// paragraphs under each widget say what the model has done so far, in words. Text only (textContent).
import { withCommas } from '../shared/numbers.js';

const $ = (id) => document.getElementById(id);
const count = withCommas;
const pct = (v) => `${(100 * v).toFixed(1)}%`;
let live = null; // the first widget's last progress

function describeLive(p) {
  if (p.step === 0) return 'The model was reset: new random weights, nothing learned yet.';
  const acc = Number.isFinite(p.testAccuracy) ? ` It now labels ${pct(p.testAccuracy)} of the points it never trained on correctly.` : '';
  return `Your model has now seen ${count(p.samplesSeen)} examples in ${count(p.step)} steps ` +
    `(${(p.wallMs / 1000).toFixed(1)} s of training in its worker).${acc}`;
}

$('live').addEventListener('progress', (e) => {
  live = e.detail;
  $('live-report').textContent = describeLive(live);
});

$('live').addEventListener('trained', (e) => {
  const d = e.detail;
  const how = d.reason === 'finished' ? 'finished its run' : 'paused';
  $('live-report').textContent = `${describeLive(live || d)} Training ${how} at step ${count(d.step)}.`;
  const secs = live ? (live.wallMs / 1000).toFixed(1) : '?';
  $('compare').textContent = `Your model needed ${count(d.samplesSeen)} examples and ${secs} s of training to ` +
    `reach ${pct(d.testAccuracy)}. The second model answered its first question before you had read its paragraph, ` +
    'because that work had already been done.';
});

$('live').addEventListener('error', (e) => {
  const { kind, restarting } = e.detail;
  if (kind === 'diverged') $('live-report').textContent = 'The loss exploded: the steps were too large and training went wrong. Lower the learning rate and press Reset.';
  if (kind === 'fatal') {
    $('live-report').textContent = restarting
      ? 'The training worker stopped unexpectedly; the widget restarts it from the last weights it saved, paused: press Train to go on.'
      : 'The training worker kept failing, so training has stopped; the model still answers with its last good weights.';
  }
});

// The pretrained widget can answer as soon as its file is loaded (`ready`), before any training.
const pre = $('pretrained');
pre.addEventListener('ready', () => {
  $('pretrained-report').textContent = 'Ready, without a single training step on this page: point at its map.';
});
pre.addEventListener('progress', (e) => {
  $('pretrained-report').textContent = `You are training the pretrained model further: ${count(e.detail.step)} more steps so far.`;
});
let preReady = false;
pre.addEventListener('ready', () => { preReady = true; });
pre.addEventListener('error', (e) => {
  if (!preReady) $('pretrained-report').textContent = `This widget could not start: ${e.detail.message}`;
  else if (e.detail.kind === 'fatal') $('pretrained-report').textContent = 'Its training worker stopped; the model still answers with its last good weights.';
});

// The language model: what training has cost so far, then what one character of an answer costs.
const flops = (n) => (n >= 1e12 ? `${(n / 1e12).toFixed(1)} trillion` : `${(n / 1e9).toFixed(1)} billion`);
let talk = null; // the language model's last progress
let answer = null; // its last answer's cost ('generated')

function describeTalk() {
  const p = talk;
  if (!p || p.step === 0) return 'The model has not been trained yet: its words are noise.';
  const loss = Number.isFinite(p.testLossPerChar)
    ? ` On words it never trained on it now needs ${p.testLossPerChar.toFixed(2)} nats per character (a blind guess among 27 needs 3.30).` : '';
  const cost = answer
    ? ` Its last answer cost ${answer.microsecondsPerToken.toFixed(1)} µs per character, measured on this page.` : ' Type a start and press Continue to see what an answer costs.';
  return `Training so far: ${count(p.step)} steps, ${count(p.tokensSeen)} characters read, ${(p.wallMs / 1000).toFixed(1)} s ` +
    `of work in its worker and ${flops(p.flopsDone)} floating-point operations.${loss}${cost}`;
}

$('talk').addEventListener('progress', (e) => {
  talk = e.detail;
  $('talk-report').textContent = describeTalk();
});
$('talk').addEventListener('generated', (e) => {
  answer = e.detail;
  $('talk-report').textContent = describeTalk();
});
$('talk').addEventListener('error', (e) => {
  if (e.detail.kind === 'fatal' || e.detail.kind === 'init') $('talk-report').textContent = `Training stopped: ${e.detail.message}`;
});

// The two pretrained language models: ready, then the cost of each one's answers.
const pair = { early: null, trained: null };
const pairReady = new Set();
function describePair() {
  if (pairReady.size < 2) return 'Loading the two trained models…';
  const each = (id) => (pair[id] ? `${pair[id].microsecondsPerToken.toFixed(1)} µs per character` : 'press its Continue');
  return `Both models are loaded and answering. Cost of an answer: ${each('early')} for the model trained for 300 steps, ` +
    `${each('trained')} for the one trained for 2,000.`;
}
for (const id of ['early', 'trained']) {
  $(id).addEventListener('ready', () => {
    pairReady.add(id);
    $('pair-report').textContent = describePair();
  });
  $(id).addEventListener('generated', (e) => {
    pair[id] = e.detail;
    $('pair-report').textContent = describePair();
  });
  $(id).addEventListener('error', (e) => { $('pair-report').textContent = `A model could not start: ${e.detail.message}`; });
}
