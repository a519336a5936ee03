import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  fleetOperationCancelPermission,
  type OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { fleetApiRef } from '../../api/FleetApi';
import { isInFlight } from '../../hooks/instanceActions';

/**
 * Cancels an operation that has not finished. Disabled, with the reason, for a user the
 * policy does not allow (fleet.operation.cancel on the instance's entity).
 * @public
 */
export function CancelOperationButton(props: {
  operation: OperationSummary;
  entityRef: string;
  onCancelled: (operation: OperationSummary) => void;
}) {
  const { operation } = props;
  const api = useApi(fleetApiRef);
  const permission = usePermission({
    permission: fleetOperationCancelPermission,
    resourceRef: props.entityRef,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  if (!isInFlight(operation)) return null;

  let disabledReason: string | undefined;
  if (permission.loading) disabledReason = 'Checking your permission…';
  else if (!permission.allowed) {
    disabledReason =
      'You are not allowed to cancel operations on this instance (fleet.operation.cancel).';
  }

  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      props.onCancelled(
        await api.cancelOperation({
          cluster: operation.cluster,
          namespace: operation.namespace,
          name: operation.name,
        }),
      );
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Tooltip title={disabledReason ?? ''}>
        <span>
          <Button
            size="small"
            aria-label={`Cancel ${operation.name}`}
            disabled={busy || Boolean(disabledReason)}
            onClick={cancel}
          >
            Cancel
          </Button>
        </span>
      </Tooltip>
      {disabledReason && !permission.loading && (
        <Typography variant="caption" component="div" color="textSecondary">
          {disabledReason}
        </Typography>
      )}
      {error && (
        <Typography
          variant="caption"
          component="div"
          color="error"
          role="alert"
        >
          {error.message}
        </Typography>
      )}
    </>
  );
}
