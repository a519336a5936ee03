import { useCallback, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  fleetOperationCreatePermission,
  type AppTemplate,
  type ClusterSummary,
  type InstanceDetail,
  type OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import {
  instanceActions,
  type InstanceAction,
} from '../../hooks/instanceActions';
import { templateDefaults } from '../../hooks/templateDefaults';
import { OperationFormDialog } from './OperationFormDialog';
import { RestoreDialog } from './RestoreDialog';
import { UpgradeDialog } from './UpgradeDialog';
import { useCreateOperation } from './useCreateOperation';

/** What the user is told after a request was accepted. Pure. */
export function createdMessage(operation: OperationSummary): string {
  const what = `${operation.type} ${operation.name} requested.`;
  if (operation.delivery?.state === 'pending') {
    return `${what} Pending delivery: cluster ${operation.cluster} receives it when its agent next connects.`;
  }
  return what;
}

function hasRequiredParameters(action: InstanceAction): boolean {
  const required = (action.template.parameters as { required?: unknown })
    .required;
  return Array.isArray(required) && required.length > 0;
}

/** Disabled actions grouped by reason, so one denial is said once, not per button. */
function groupedReasons(actions: InstanceAction[]): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const action of actions) {
    if (!action.disabledReason) continue;
    groups.set(action.disabledReason, [
      ...(groups.get(action.disabledReason) ?? []),
      action.title,
    ]);
  }
  return [...groups.entries()];
}

/**
 * The day-2 actions of an instance. Each operation of the app's template is a button; one the
 * user may not take, or whose precondition fails, is disabled and the reason is written below.
 * @public
 */
export function InstanceActions(props: {
  detail: InstanceDetail;
  app: AppTemplate | undefined;
  cluster: ClusterSummary | undefined;
  entityRef: string;
  onCreated: (operation: OperationSummary) => void;
}) {
  const { detail, app, cluster, entityRef, onCreated } = props;
  const permission = usePermission({
    permission: fleetOperationCreatePermission,
    resourceRef: entityRef,
  });
  const actions = instanceActions({ detail, app, cluster, permission });
  const [open, setOpen] = useState<InstanceAction | undefined>();
  const [notice, setNotice] = useState<string | undefined>();

  const created = useCallback(
    (operation: OperationSummary) => {
      setNotice(createdMessage(operation));
      onCreated(operation);
    },
    [onCreated],
  );
  const immediate = useCreateOperation(detail.summary, created);

  const start = (action: InstanceAction) => {
    setNotice(undefined);
    immediate.clearError();
    // A backup with nothing to ask runs on one click; anything else opens its dialog.
    if (action.type === 'Backup' && !hasRequiredParameters(action)) {
      immediate.create({
        type: action.type,
        engine: action.engine,
        parameters: templateDefaults(action.template),
      });
      return;
    }
    setOpen(action);
  };

  if (actions.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {app
          ? `The ${app.title} template offers no operation.`
          : `App ${detail.summary.app} is not in the app catalog, so no operation is offered.`}
      </Typography>
    );
  }

  const dialogProps = {
    detail,
    onClose: () => setOpen(undefined),
    onCreated: created,
  };
  return (
    <Box>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        {actions.map(action => (
          <Tooltip
            key={`${action.type}-${action.title}`}
            title={action.disabledReason ?? action.description ?? ''}
          >
            {/* A disabled button fires no events; the span keeps the tooltip working. */}
            <span>
              <Button
                variant="outlined"
                color="primary"
                size="small"
                disabled={
                  Boolean(action.disabledReason) || immediate.submitting
                }
                onClick={() => start(action)}
              >
                {action.title}
              </Button>
            </span>
          </Tooltip>
        ))}
      </Box>
      {groupedReasons(actions).map(([reason, titles]) => (
        <Typography
          key={reason}
          variant="caption"
          component="div"
          color="textSecondary"
        >
          {titles.join(', ')}: {reason}
        </Typography>
      ))}
      {immediate.error && (
        <Alert severity="error" role="alert">
          {immediate.error.message}
        </Alert>
      )}
      {notice && <Alert severity="success">{notice}</Alert>}
      {open?.type === 'Restore' && (
        <RestoreDialog {...dialogProps} action={open} />
      )}
      {open?.type === 'Upgrade' && (
        <UpgradeDialog {...dialogProps} app={app} action={open} />
      )}
      {open && open.type !== 'Restore' && open.type !== 'Upgrade' && (
        <OperationFormDialog {...dialogProps} action={open} />
      )}
    </Box>
  );
}
