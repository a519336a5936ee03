export { InstancesTable, instanceRowHeight } from './InstancesTable';
