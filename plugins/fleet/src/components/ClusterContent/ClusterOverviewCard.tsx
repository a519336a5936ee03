import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { clusterNameOf } from '../../hooks/entityTargets';
import { statusOrder, summarizeInstances } from '../../hooks/instanceFilters';
import { useFleetView } from '../../hooks/useFleetView';
import { useNow } from '../../hooks/useNow';
import { ClusterConnection } from '../ConnectionState';
import { LiveIndicator } from '../InstanceContent/InstanceViewState';

/** The overview card of a cluster: its connection and how its instances are doing. @public */
export function ClusterOverviewCard() {
  const { entity } = useEntity();
  const name = clusterNameOf(entity);
  const view = useFleetView({ cluster: name });
  const now = useNow(5000);
  const cluster = view.clusters.find(c => c.name === name);
  const byStatus = summarizeInstances(view.instances).byStatus;
  const counts = statusOrder
    .filter(status => byStatus[status])
    .map(status => `${byStatus[status]} ${status}`);
  let body;
  if (view.error) body = <ResponseErrorPanel error={view.error} />;
  else if (view.loading && view.clusters.length === 0) body = <Progress />;
  else if (!cluster) {
    body = (
      <Typography variant="body2" color="textSecondary">
        Cluster {name} is not registered with the fleet.
      </Typography>
    );
  } else {
    body = (
      <>
        <ClusterConnection cluster={cluster} now={now} />
        <Typography variant="body2" style={{ marginTop: 8 }}>
          {view.instances.length === 0
            ? 'No application instance on this cluster.'
            : `${view.instances.length} instances: ${counts.join(', ')}`}
        </Typography>
      </>
    );
  }
  return (
    <InfoCard
      title="Fleet cluster"
      subheader={<LiveIndicator live={view.live} />}
    >
      {body}
    </InfoCard>
  );
}
