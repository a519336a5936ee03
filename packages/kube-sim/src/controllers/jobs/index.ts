export { JobController } from './JobController';
export type { JobControllerOptions } from './JobController';
export { simulatedRun, DURATION_ANNOTATION, EXIT_CODE_ANNOTATION } from './simulatedRun';
export type { RunOutcome } from './simulatedRun';
