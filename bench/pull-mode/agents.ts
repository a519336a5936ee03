/* Many pull-mode agents in one process, as bench/pull-mode/index.ts starts them: the operator's
 * real ControlPlaneAgent, one per kube-sim cluster, each with its own KubeClient (and so its own
 * list+watch of ApplicationInstances and Operations) and its cluster's join token.
 * Usage: run-ts agents.ts <agents.json>, a JSON array of { cluster, kubeconfig, token } where
 * kubeconfig is a file path. Runs until SIGTERM. */
import { readFileSync } from 'node:fs';
import { ControlPlaneAgent } from '@vworkspace/fleet-operator';
import { JsonLogger, KubeClient } from '@vworkspace/kube-runtime';

/** One agent to run, as the bench hands it over. */
export interface AgentSpec {
  cluster: string;
  /** Path of the cluster's kubeconfig. */
  kubeconfig: string;
  token: string;
}

/** Warnings printed in full before the rest are only counted (500 agents losing the backend at once). */
const printedWarnings = 5;

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: agents.ts <agents.json>');
  const specs = JSON.parse(readFileSync(file, 'utf8')) as AgentSpec[];
  const controlPlane = process.env.BENCH_CONTROL_PLANE;
  if (!controlPlane) throw new Error('BENCH_CONTROL_PLANE is not set');

  let warnings = 0;
  const logger = new JsonLogger({
    level: 'warn',
    write: line => {
      warnings++;
      if (warnings <= printedWarnings)
        process.stderr.write(`  agent: ${line}\n`);
    },
  });
  // one signal per agent, as each operator has its own (500 listeners on one signal look like a leak)
  const aborts: AbortController[] = [];
  const clients: KubeClient[] = [];
  const running = specs.map(spec => {
    const abort = new AbortController();
    aborts.push(abort);
    // the informers' list+watch and the applies of one cluster; generous limits: setup is not measured
    const client = KubeClient.fromString(
      readFileSync(spec.kubeconfig, 'utf8'),
      { qps: 100, burst: 200 },
    );
    clients.push(client);
    const agent = new ControlPlaneAgent({
      controlPlane,
      token: () => spec.token,
      client,
      logger: logger.child({ cluster: spec.cluster }),
    });
    return agent.run(abort.signal);
  });
  process.stdout.write(`running ${specs.length}\n`);

  const stop = () => {
    for (const abort of aborts) abort.abort();
    void Promise.allSettled(running).then(() => {
      for (const client of clients) client.close();
      if (warnings > printedWarnings)
        process.stderr.write(`  agent: ${warnings} warnings in all\n`);
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
