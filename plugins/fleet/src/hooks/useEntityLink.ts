import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';

type EntityRouteParams = ReturnType<typeof entityRouteParams>;

/**
 * A function from an entity ref to the entity's page, or one that returns undefined when the
 * app has no catalog entity page (then names are shown without a link instead of failing).
 * @public
 */
export function useEntityLink(): (entityRef: string) => string | undefined {
  let entityRoute: ((params: EntityRouteParams) => string) | undefined;
  try {
    // Called on every render, so the order of hooks never changes; it throws when unbound.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    entityRoute = useRouteRef(entityRouteRef);
  } catch {
    entityRoute = undefined;
  }
  return entityRef =>
    entityRoute?.(entityRouteParams(entityRef, { encodeParams: true }));
}
