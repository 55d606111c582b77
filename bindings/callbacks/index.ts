/** Callback factories, as `callbacks.earlyStopping({ patience: 3 })`. */
import { earlyStopping } from './early-stopping.js';
import { reduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { learningRateScheduler } from './learning-rate-scheduler.js';
import { terminateOnNaN } from './terminate-on-nan.js';
import { gradientMonitor } from './gradient-monitor.js';
import { modelCheckpoint } from './model-checkpoint.js';

export const callbacks = { earlyStopping, reduceLROnPlateau, learningRateScheduler, terminateOnNaN, gradientMonitor, modelCheckpoint };

export { Callback, CallbackList } from './callback.js';
export type { CallbackHooks, Logs, CallbackModel } from './callback.js';
export { History } from './history.js';
export { EarlyStopping, type EarlyStoppingArgs } from './early-stopping.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauArgs } from './reduce-lr-on-plateau.js';
export { LearningRateScheduler, type Schedule } from './learning-rate-scheduler.js';
export { TerminateOnNaN, type NaNReport, type TerminateOnNaNArgs } from './terminate-on-nan.js';
export { GradientMonitor, type GradientMonitorArgs, type MonitorRecord } from './gradient-monitor.js';
export { ModelCheckpoint, type ModelCheckpointArgs } from './model-checkpoint.js';
