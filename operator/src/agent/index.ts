export { ControlPlaneAgent } from './ControlPlaneAgent';
export type { ControlPlaneAgentOptions } from './ControlPlaneAgent';
export { agentApiBase, clusterOfJoinToken, readJoinToken } from './joinToken';
export { startControlPlaneAgent } from './startControlPlaneAgent';
