import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import { FleetApiError } from '../../api/FleetApiError';
import type { FleetEventsState } from '../../hooks/useFleetEvents';

/** Loading, not-found and error states shared by the instance views. */
export function InstanceViewState(props: {
  loading: boolean;
  error?: Error;
  hasData: boolean;
  children: () => ReactNode;
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
  if (props.loading && !props.hasData) return <Progress />;
  return <>{props.children()}</>;
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
