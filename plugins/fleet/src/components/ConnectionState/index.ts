export { ClusterConnection } from './ClusterConnection';
