/**
 * What a simulated container run does: how long it takes and how it exits.
 * No pods or containers exist in kube-sim; Jobs and Argo Workflow steps read
 * their outcome from these annotations (on the object or its pod template) or,
 * failing that, from a simple shell command (`sleep N`, `exit N`).
 */

/** Seconds a simulated run takes, e.g. `"30"`. @public */
export const DURATION_ANNOTATION = 'sim.vworkspace.io/duration-seconds';
/** Exit code of a simulated run, e.g. `"1"`; `0` succeeds. @public */
export const EXIT_CODE_ANNOTATION = 'sim.vworkspace.io/exit-code';

/** @public */
export interface RunOutcome {
  /** Nominal duration in milliseconds (before time scaling). */
  durationMs: number;
  exitCode: number;
}

/** A container as far as its outcome is concerned. */
export interface ContainerLike {
  command?: string[];
  args?: string[];
  source?: string;
}

const number = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) && value >= 0 ? value : undefined;
};

/**
 * The outcome of one run: the first annotation set wins (pass the most specific
 * first), then `sleep N` / `exit N` found in the containers' command, args or
 * script source, then the defaults.
 */
export function simulatedRun(
  annotationSets: Array<Record<string, string> | undefined>,
  containers: ContainerLike[],
  defaults: RunOutcome,
): RunOutcome {
  const script = containers.map(c => [...(c.command ?? []), ...(c.args ?? []), c.source ?? ''].join(' ')).join('\n');
  const fromAnnotations = (key: string) => {
    for (const set of annotationSets) {
      const value = number(set?.[key]);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const sleep = /\bsleep\s+(\d+(?:\.\d+)?)\b/.exec(script)?.[1];
  const exit = /\bexit\s+(\d+)\b/.exec(script)?.[1];
  const seconds = fromAnnotations(DURATION_ANNOTATION) ?? number(sleep);
  const exitCode = fromAnnotations(EXIT_CODE_ANNOTATION) ?? number(exit) ?? defaults.exitCode;
  return { durationMs: seconds === undefined ? defaults.durationMs : seconds * 1000, exitCode: Math.trunc(exitCode) };
}
