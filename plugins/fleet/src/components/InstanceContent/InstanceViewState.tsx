import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import type { InstanceDetail } from '@vworkspace/backstage-plugin-fleet-common';
import { FleetApiError } from '../../api/FleetApiError';
import type { FleetEventsState } from '../../hooks/useFleetEvents';

/**
 * Loading, not-found and error states shared by the instance views; once the instance is
 * loaded, renders `children` with it.
 */
export function InstanceViewState(props: {
  error?: Error;
  detail?: InstanceDetail;
  children: (detail: InstanceDetail) => ReactNode;
}) {
  if (
    props.error &&
    props.error instanceof FleetApiError &&
    props.error.statusCode === 404
  ) {
    return (
      <EmptyState
        missing="data"
        title="No fleet instance behind this entity"
        description={props.error.message}
      />
    );
  }
  if (props.error) return <ResponseErrorPanel error={props.error} />;
  // No detail and no error: the first load is still running (a reload keeps the detail).
  if (!props.detail) return <Progress />;
  return <>{props.children(props.detail)}</>;
}

/** "Live" while the change stream is connected; otherwise says updates are paused and why. */
export function LiveIndicator(props: { live: FleetEventsState }) {
  const { connected, error } = props.live;
  return (
    <Typography variant="caption" color="textSecondary" component="span">
      {connected
        ? '● live'
        : `○ live updates paused${
            error ? ` (${error.message})` : ''
          }, reconnecting…`}
    </Typography>
  );
}
