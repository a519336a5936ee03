import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * The fleet entity provider: clusters as Resources, apps of the app catalog as Systems,
       * ApplicationInstances as Components. Every key is optional.
       */
      fleet?: {
        /**
         * Owner of clusters, apps, and instances without a `backstage.io/owner` annotation.
         * Default `group:default/platform`.
         */
        defaultOwner?: string;
        /** Cluster label whose value becomes an instance's lifecycle. Default `env`. */
        lifecycleLabel?: string;
        /** Lifecycle of instances on clusters without that label. Default `production`. */
        defaultLifecycle?: string;
        /**
         * Clusters to take, by name; `*` matches any run of characters.
         * Default: include `*`, exclude none.
         */
        clusters?: { include?: string[]; exclude?: string[] };
        /** Namespaces whose instances to take, by name, as for clusters. Default: all. */
        namespaces?: { include?: string[]; exclude?: string[] };
        /**
         * How often to provide everything afresh (a full mutation; changes arrive through the
         * change feed in between). Default every 30 minutes, timeout 5 minutes, scope `local`.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
