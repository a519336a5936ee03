import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { instanceTargetOf } from '../../hooks/entityTargets';
import { formatAge, operationDuration } from '../../hooks/formatTime';
import { useInstanceView } from '../../hooks/useInstanceView';
import { useNow } from '../../hooks/useNow';
import { ClusterConnection } from '../ConnectionState';
import {
  ChartVersions,
  InstanceStatusSummary,
} from '../InstanceContent/InstanceContent';
import {
  InstanceViewState,
  LiveIndicator,
} from '../InstanceContent/InstanceViewState';
import { InstanceActions } from '../InstanceActions';
import { OperationStateLabel } from '../StatusLabel';

/**
 * The overview card of an application instance: status and why, versions, connectivity, the
 * latest operation and the actions, so a backup can be taken from the overview.
 * @public
 */
export function InstanceOverviewCard() {
  const { entity } = useEntity();
  const target = instanceTargetOf(entity);
  const view = useInstanceView(target);
  const now = useNow();
  return (
    <InfoCard
      title="Fleet instance"
      subheader={<LiveIndicator live={view.live} />}
    >
      <InstanceViewState error={view.error} detail={view.detail}>
        {detail => {
          const latest = detail.operations[0];
          return (
            <Box display="flex" flexDirection="column" style={{ gap: 8 }}>
              <InstanceStatusSummary detail={detail} />
              <ChartVersions detail={detail} />
              {view.cluster && (
                <ClusterConnection cluster={view.cluster} now={now} />
              )}
              <Typography variant="body2" component="div">
                Last backup:{' '}
                {detail.summary.lastBackup
                  ? formatAge(detail.summary.lastBackup.completedAt, now)
                  : 'never'}
              </Typography>
              {latest && (
                <Typography variant="body2" component="div">
                  Latest operation: {latest.type} {latest.name} ·{' '}
                  <OperationStateLabel operation={latest} /> ·{' '}
                  {operationDuration(latest, now)}
                </Typography>
              )}
              <InstanceActions
                detail={detail}
                app={view.app}
                cluster={view.cluster}
                entityRef={target.entityRef}
                onCreated={view.recordOperation}
              />
            </Box>
          );
        }}
      </InstanceViewState>
    </InfoCard>
  );
}
