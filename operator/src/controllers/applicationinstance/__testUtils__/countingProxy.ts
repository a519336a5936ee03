export { startCountingProxy } from '../../../testing';
