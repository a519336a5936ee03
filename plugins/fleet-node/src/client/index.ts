export {
  FleetStoreClient,
  type FleetStoreClientOptions,
} from './FleetStoreClient';
export type { FleetEventStreamTiming } from './FleetEventStream';
