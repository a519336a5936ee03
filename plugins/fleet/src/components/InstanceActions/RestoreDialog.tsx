import { useEffect, useMemo, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type { OperationSummary } from '@vworkspace/backstage-plugin-fleet-common';
import { fleetApiRef } from '../../api/FleetApi';
import { formatAge } from '../../hooks/formatTime';
import type { InstanceAction } from '../../hooks/instanceActions';
import { successfulBackups } from '../../hooks/instanceActions';
import { templateDefaults } from '../../hooks/templateDefaults';
import { OperationDialog } from './OperationDialog';
import {
  useOperationDialog,
  type OperationDialogProps,
} from './useOperationDialog';

/** The backup name an engine restores from: the one the backup recorded, else the Operation's. */
export function backupNameOf(backup: OperationSummary): string {
  const recorded = backup.result?.backupName;
  return typeof recorded === 'string' && recorded ? recorded : backup.name;
}

/** Restore parameters: velero takes `backupName`; other engines do when their schema has it. */
export function restoreParameters(
  action: InstanceAction,
  backup: OperationSummary,
): Record<string, unknown> {
  const properties = (
    action.template.parameters as { properties?: Record<string, unknown> }
  ).properties;
  const takesBackupName =
    action.engine === 'velero' ||
    Boolean(properties && 'backupName' in properties);
  if (!takesBackupName) return {};
  // A template that restores the newest backup by default must be told not to, or the
  // named backup and "newest" contradict each other and the operator refuses both.
  const choosesLatest = Boolean(properties && 'latest' in properties);
  return {
    backupName: backupNameOf(backup),
    ...(choosesLatest ? { latest: false } : {}),
  };
}

function mergeBackups(...lists: OperationSummary[][]): OperationSummary[] {
  const byName = new Map<string, OperationSummary>();
  for (const op of lists.flat()) byName.set(op.name, op);
  return [...byName.values()].sort((a, b) =>
    (b.completedAt ?? b.createdAt ?? '').localeCompare(
      a.completedAt ?? a.createdAt ?? '',
    ),
  );
}

/**
 * Restore: choose one of the instance's successful backups, read what will be overwritten,
 * confirm.
 */
export function RestoreDialog(props: OperationDialogProps) {
  const { detail, action } = props;
  const { summary } = detail;
  const api = useApi(fleetApiRef);
  const [listed, setListed] = useState<{
    loading: boolean;
    items: OperationSummary[];
    error?: Error;
  }>({
    loading: true,
    items: [],
  });
  const [chosen, setChosen] = useState<string | undefined>();
  const { submit, frame } = useOperationDialog(props);

  useEffect(() => {
    let cancelled = false;
    api
      .listOperations({
        cluster: summary.cluster,
        namespace: summary.namespace,
        instance: summary.name,
        type: 'Backup',
        limit: 100,
      })
      .then(
        page =>
          !cancelled &&
          setListed({ loading: false, items: successfulBackups(page.items) }),
        e => !cancelled && setListed({ loading: false, items: [], error: e }),
      );
    return () => {
      cancelled = true;
    };
  }, [api, summary.cluster, summary.namespace, summary.name]);

  const backups = useMemo(
    () => mergeBackups(successfulBackups(detail.operations), listed.items),
    [detail.operations, listed.items],
  );
  const selected = backups.find(b => b.name === (chosen ?? backups[0]?.name));
  const now = Date.now();

  const confirm = () => {
    if (!selected) return;
    submit({
      ...templateDefaults(action.template),
      ...restoreParameters(action, selected),
    });
  };

  return (
    <OperationDialog
      {...frame}
      title={`Restore ${summary.namespace}/${summary.name}`}
      confirmLabel={`Overwrite ${summary.namespace}/${summary.name}`}
      confirmDisabled={!selected}
      onConfirm={confirm}
    >
      {listed.loading && <LinearProgress aria-label="Loading backups" />}
      {listed.error && (
        <Alert severity="warning">
          Could not list older backups: {listed.error.message}
        </Alert>
      )}
      {!listed.loading && backups.length === 0 && (
        <Typography>
          There is no successful backup of this instance to restore.
        </Typography>
      )}
      {backups.length > 0 && (
        <RadioGroup
          aria-label="Backup to restore"
          value={selected?.name ?? ''}
          onChange={event => setChosen(event.target.value)}
        >
          {backups.map(backup => (
            <FormControlLabel
              key={backup.name}
              value={backup.name}
              control={<Radio />}
              label={`${backupNameOf(backup)} — completed ${formatAge(
                backup.completedAt,
                now,
              )}${backup.requestedBy ? ` by ${backup.requestedBy}` : ''}${
                backup.phase === 'PartiallySucceeded' ? ' (partial)' : ''
              }`}
            />
          ))}
        </RadioGroup>
      )}
      {selected && (
        <Alert severity="warning">
          Restoring {backupNameOf(selected)} overwrites the data of{' '}
          {summary.name} in namespace {summary.namespace} on cluster{' '}
          {summary.cluster} with its state of{' '}
          {selected.completedAt ?? 'the backup'}. Changes made since then are
          lost.
        </Alert>
      )}
    </OperationDialog>
  );
}
