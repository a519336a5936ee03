import type { EngineStatus, OperationPhase } from '@vworkspace/backstage-plugin-fleet-common';
import { terminalOperationPhases } from '@vworkspace/backstage-plugin-fleet-common';

/** Builds an EngineStatus; `terminal` follows from the phase (fleet-common keeps its own builder internal). */
export function engineStatus(phase: OperationPhase, reason: string, message: string): EngineStatus {
  return { phase, terminal: terminalOperationPhases.includes(phase), reason, message };
}
