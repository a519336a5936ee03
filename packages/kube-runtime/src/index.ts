/**
 * A Kubernetes controller runtime shaped like controller-runtime and client-go: a rate-limited,
 * retrying client; reflectors, stores and informers; work queues; controllers with results and
 * terminal errors; leader election; and a manager with health and metrics endpoints.
 *
 * @packageDocumentation
 */
export * from './backoff/BackoffManager';
export * from './backoff/exponentialBackoff';
export * from './cache/Informer';
export * from './cache/Reflector';
export * from './cache/Store';
export * from './client/apiErrors';
export * from './client/KubeClient';
export * from './client/TokenBucket';
export * from './client/types';
export * from './clock/Clock';
export * from './controller/Controller';
export * from './controller/handlers';
export * from './controller/reconcile';
export * from './leaderelection/LeaderElector';
export * from './lifecycle/keepProcessAlive';
export * from './log/Logger';
export * from './manager/Manager';
export * from './metrics/Metrics';
export * from './workqueue/rateLimiters';
export * from './workqueue/WorkQueue';
