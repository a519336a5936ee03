export {
  ConnectionStateLabel,
  InstanceStatusLabel,
  OperationStateLabel,
  operationStateText,
} from './StatusLabel';
