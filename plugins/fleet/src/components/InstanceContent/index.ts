export { InstanceContent } from './InstanceContent';
