export * from './appCatalog';
export * from './clusters';
export * from './entityNames';
export * from './events';
export * from './instances';
export * from './operations';
export * from './instanceStatus';
export * from './agent';
