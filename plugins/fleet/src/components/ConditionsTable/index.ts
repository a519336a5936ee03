export { ConditionsTable } from './ConditionsTable';
