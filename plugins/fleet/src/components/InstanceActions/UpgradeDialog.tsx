import { useState } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type { AppTemplate } from '@vworkspace/backstage-plugin-fleet-common';
import { formatAge } from '../../hooks/formatTime';
import { upgradeVersions } from '../../hooks/instanceActions';
import { templateDefaults } from '../../hooks/templateDefaults';
import { OperationDialog } from './OperationDialog';
import {
  useOperationDialog,
  type OperationDialogProps,
} from './useOperationDialog';

/** Upgrade: choose a chart version the app catalog offers. */
export function UpgradeDialog(
  props: OperationDialogProps & { app: AppTemplate | undefined },
) {
  const { detail, action } = props;
  const { summary } = detail;
  const versions = upgradeVersions(detail, props.app);
  const [version, setVersion] = useState(versions[0] ?? '');
  const { submit, frame } = useOperationDialog(props);

  return (
    <OperationDialog
      {...frame}
      title={`Upgrade ${summary.namespace}/${summary.name}`}
      confirmLabel={version ? `Upgrade to ${version}` : 'Upgrade'}
      confirmDisabled={!version}
      onConfirm={() =>
        submit({ ...templateDefaults(action.template), version })
      }
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
