export { InstanceActions, createdMessage } from './InstanceActions';
