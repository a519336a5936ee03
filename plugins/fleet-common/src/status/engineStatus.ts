import { OperationPhase, terminalOperationPhases } from '../schemas/vocabulary';

/**
 * An engine resource's status, mapped into the Operation vocabulary. `reason` is CamelCase so
 * it can go straight into a condition.
 * @public
 */
export interface EngineStatus {
  phase: OperationPhase;
  terminal: boolean;
  reason: string;
  message: string;
}

/** Builds an {@link EngineStatus}; `terminal` follows from the phase. */
export function engineStatus(
  phase: OperationPhase,
  reason: string,
  message: string,
): EngineStatus {
  return {
    phase,
    terminal: terminalOperationPhases.includes(phase),
    reason,
    message,
  };
}
