export interface Config {
  fleet?: {
    /**
     * Push clusters: the backend watches each cluster's API directly. Pull clusters (an
     * operator connecting out to the backend) are registered differently.
     */
    clusters?: Array<{
      /** Unique name, a DNS-1123 label; part of catalog entity names. */
      name: string;
      /** Display name. Default: the name. */
      title?: string;
      /** API server URL, e.g. https://api.eu-1.example.com:6443. Required unless auth.type is kubeconfig. */
      url?: string;
      /** CA bundle of the API server: base64 PEM (as in a kubeconfig) or PEM. */
      caData?: string;
      /** Path of a CA bundle file (PEM). */
      caFile?: string;
      /** Accept any serving certificate. Default false; never in production. */
      skipTLSVerify?: boolean;
      /** How the backend authenticates. */
      auth:
        | {
            type: 'serviceAccountToken';
            /**
             * Bearer token of a service account.
             * @visibility secret
             */
            token: string;
          }
        | {
            type: 'tokenFile';
            /** A file holding the token, read again when it rotates. */
            path: string;
          }
        | {
            type: 'kubeconfig';
            /** A kubeconfig file (keep it readable by the backend only: it holds credentials). */
            path: string;
            /** Context to use. Default: the kubeconfig's current context. */
            context?: string;
          };
      /** Labels of the cluster (region, env, ...), used by campaigns' selectors and the catalog. */
      labels?: { [key: string]: string };
    }>;
    /** The app catalog: curated app templates the fleet offers. */
    appCatalog?: {
      /**
       * YAML files of app templates (`apps: [...]`), relative to the backend's working
       * directory. Default: none, or the bundled demo catalog when `fleet.demo.enabled`.
       */
      files?: string[];
    };
    /**
     * The embedded demo fleet: simulated clusters (kube-sim) on 127.0.0.1 with the real
     * operator and a few instances, for development. Never in production.
     */
    demo?: {
      /** Start the demo fleet. Default false. */
      enabled?: boolean;
      /** Number of simulated clusters, 1 to 10. Default 3. */
      clusters?: number;
      /** Multiplier of the simulated controllers' durations: 1 is demo speed, 0 as fast as possible. Default 1. */
      timeScale?: number;
      /** How many of the demo clusters (the last ones) join in pull mode. Default 1 with two clusters or more, else 0. */
      pullClusters?: number;
    };
    /** The change feed and its Server-Sent Events stream. */
    events?: {
      /** Seconds between SSE heartbeats. Default 15. */
      heartbeatSeconds?: number;
      /** Changes kept for resumption with Last-Event-ID. Default 10000. */
      bufferSize?: number;
    };
    /** Pull clusters: their agents connect out to `/api/fleet/agent/v1`. */
    pull?: {
      /** Seconds between heartbeats on agent streams (each also re-checks the join token). Default 15. */
      heartbeatSeconds?: number;
      /** Seconds between reads of what other replicas stored (intent, reports, acknowledgements). Default 2. */
      pollSeconds?: number;
      /** Seconds a pull cluster may be without an agent stream before it is marked unreachable. Default 30. */
      disconnectGraceSeconds?: number;
    };
    /** Permissions of the fleet plugin (read by the portal's permission policy). */
    permissions?: {
      /** User or group entity refs that may do everything. */
      admins?: string[];
    };
  };
}
