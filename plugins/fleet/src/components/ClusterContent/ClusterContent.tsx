import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { clusterNameOf } from '../../hooks/entityTargets';
import { useFleetView } from '../../hooks/useFleetView';
import { useNow } from '../../hooks/useNow';
import { ClusterConnection } from '../ConnectionState';
import { LiveIndicator } from '../InstanceContent/InstanceViewState';
import { InstancesTable } from '../InstancesTable';

/**
 * The entity tab of a cluster: how the control plane reaches it and whether it does, its
 * labels, and its instances, live.
 * @public
 */
export function ClusterContent() {
  const { entity } = useEntity();
  const name = clusterNameOf(entity);
  const view = useFleetView({ cluster: name });
  const now = useNow(5000);

  if (view.error) return <ResponseErrorPanel error={view.error} />;
  if (view.loading && view.clusters.length === 0) return <Progress />;
  const cluster = view.clusters.find(c => c.name === name);
  if (!cluster) {
    return (
      <EmptyState
        missing="data"
        title={`Cluster ${name} is not registered with the fleet`}
        description="The fleet backend lists no cluster of that name; it may have been removed from its configuration."
      />
    );
  }
  const labels = Object.entries(cluster.labels);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <InfoCard
          title="Connection"
          subheader={<LiveIndicator live={view.live} />}
        >
          <ClusterConnection cluster={cluster} now={now} />
          <Typography variant="body2" style={{ marginTop: 8 }}>
            Mode: <strong>{cluster.mode}</strong> · {cluster.instanceCount}{' '}
            instance
            {cluster.instanceCount === 1 ? '' : 's'}
          </Typography>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Labels">
          {labels.length === 0 ? (
            <Typography variant="body2" color="textSecondary">
              This cluster has no labels.
            </Typography>
          ) : (
            <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
              {labels.map(([key, value]) => (
                <Chip key={key} size="small" label={`${key}=${value}`} />
              ))}
            </Box>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title={`Instances (${view.instances.length})`}>
          <InstancesTable
            items={view.instances}
            height={400}
            emptyText="No application instance on this cluster."
          />
        </InfoCard>
      </Grid>
    </Grid>
  );
}
