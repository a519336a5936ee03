import { useState } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  AppTemplate,
  InstanceDetail,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { formatAge } from '../../hooks/formatTime';
import {
  upgradeVersions,
  type InstanceAction,
} from '../../hooks/instanceActions';
import { templateDefaults } from '../../hooks/templateDefaults';
import { OperationDialog } from './OperationDialog';
import { useCreateOperation } from './useCreateOperation';

/** Upgrade: choose a chart version the app catalog offers. */
export function UpgradeDialog(props: {
  detail: InstanceDetail;
  app: AppTemplate | undefined;
  action: InstanceAction;
  onClose: () => void;
  onCreated: (operation: OperationSummary) => void;
}) {
  const { detail, action } = props;
  const { summary } = detail;
  const versions = upgradeVersions(detail, props.app);
  const [version, setVersion] = useState(versions[0] ?? '');
  const [reason, setReason] = useState('');
  const { create, submitting, error } = useCreateOperation(
    summary,
    props.onCreated,
  );

  const confirm = async () => {
    const created = await create({
      type: 'Upgrade',
      engine: action.engine,
      parameters: { ...templateDefaults(action.template), version },
      reason,
    });
    if (created) props.onClose();
  };

  return (
    <OperationDialog
      title={`Upgrade ${summary.namespace}/${summary.name}`}
      reason={reason}
      onReasonChange={setReason}
      error={error}
      submitting={submitting}
      confirmLabel={version ? `Upgrade to ${version}` : 'Upgrade'}
      confirmDisabled={!version}
      onConfirm={confirm}
      onClose={props.onClose}
    >
      <Typography variant="body2" gutterBottom>
        Chart {summary.chart.name}: desired {summary.chart.version}, deployed{' '}
        {summary.chart.deployedVersion ?? 'unknown'}.{' '}
        {summary.lastBackup
          ? `Last successful backup ${formatAge(
              summary.lastBackup.completedAt,
              Date.now(),
            )}.`
          : 'This instance has no successful backup.'}
      </Typography>
      <TextField
        select
        id="fleet-upgrade-version"
        label="Chart version"
        value={version}
        onChange={event => setVersion(event.target.value)}
        fullWidth
        margin="normal"
      >
        {versions.map(v => (
          <MenuItem key={v} value={v}>
            {v}
          </MenuItem>
        ))}
      </TextField>
    </OperationDialog>
  );
}
