/**
 * Test harness of the fleet: kube-sim clusters with the fleet's CRDs and simulated controllers,
 * and the real operator, in this process or as a child process.
 *
 * @packageDocumentation
 */
export { startFleetSim } from './startFleetSim';
export type { FleetSim, FleetSimCluster, FleetSimOptions } from './startFleetSim';
export { fleetCrdDirs, startSimCluster } from './simCluster';
export type { SimClusterStartOptions, SimulatedCluster } from './simCluster';
export { startOperator } from './startOperator';
export type { OperatorStartOptions, RunningOperator } from './startOperator';
export { startOperatorProcess } from './operatorProcess';
export type { OperatorExit, OperatorLogLine, OperatorProcess } from './operatorProcess';
export { startCountingProxy } from './countingProxy';
export type { CountingProxy, RecordedRequest } from './countingProxy';
export { waitFor } from './waitFor';
