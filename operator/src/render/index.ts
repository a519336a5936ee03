export * from './renderInstances';
