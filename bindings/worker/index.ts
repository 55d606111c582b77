/** keelnet/worker: train off the main thread (worker_threads in Node, a module Worker in browsers). */
export { createTrainer } from './trainer.js';
export type { Trainer, TrainerOptions } from './trainer.js';
