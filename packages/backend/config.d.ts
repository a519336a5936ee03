export interface Config {
  fleet?: {
    permissions?: {
      /**
       * Users and groups (entity refs, e.g. `group:default/platform`) who may
       * run operations on any instance and manage upgrade campaigns. Everyone
       * else may run operations only on instances their groups own.
       * Default: none.
       */
      admins?: string[];
    };
  };
}
