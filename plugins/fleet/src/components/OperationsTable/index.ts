export { OperationsTable, formatResult } from './OperationsTable';
export { CancelOperationButton } from './CancelOperationButton';
