/* What /proc says about a process. */
import { readFileSync } from 'node:fs';

/** CPU time (user + system, in seconds) a process has used so far, from /proc. */
export function cpuSecondsOf(pid: number | undefined): number {
  // the command name may hold spaces: fields are counted after its closing parenthesis
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set size of a process, from /proc. */
export function rssOf(pid: number | undefined): number {
  return (
    Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ??
        0,
    ) * 1024
  );
}
