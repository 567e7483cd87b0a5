// TF.js 4.22 on its plain-JavaScript cpu backend. Usage: node bench/tfjs-cpu.mjs <case>.
import '@tensorflow/tfjs-backend-cpu';
import { tf, tfjsHandlers } from './tfjs-common.mjs';
import { runSystem } from './common.mjs';

if (!(await tf.setBackend('cpu'))) throw new Error('TF.js could not initialise its cpu backend');
await tf.ready();
console.log(`tfjs-cpu: backend ${tf.getBackend()}`);
await runSystem('tfjs-cpu', tfjsHandlers('tfjs-cpu'));
