/**
 * The operator's controller runtime: cluster client, caches, work queues, controllers,
 * leader election, metrics and the manager that runs them.
 *
 * @packageDocumentation
 */
export * from './apiErrors';
export * from './BackoffManager';
export * from './Clock';
export * from './Controller';
export * from './handlers';
export * from './Informer';
export * from './KubeClient';
export * from './LeaderElector';
export * from './Logger';
export * from './Manager';
export * from './Metrics';
export * from './rateLimiters';
export * from './reconcile';
export * from './Reflector';
export * from './Store';
export * from './TokenBucket';
export * from './types';
export * from './WorkQueue';
