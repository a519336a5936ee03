export { SimController } from './SimController';
export type { ObjectKey, ReconcileResult, ReconcileTrigger, SimControllerOptions } from './SimController';
export { scaled } from './timing';
export type { SimTimings } from './timing';
export { setCondition, removeCondition, findCondition, nowRfc3339 } from './conditions';
export type { Condition } from './conditions';
export { EventRecorder } from './EventRecorder';
export type { EventType } from './EventRecorder';
export { IntentFilter } from './IntentFilter';
