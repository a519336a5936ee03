import { InfoCard, Link } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  clusterEntityRef,
  type InstanceDetail,
  type OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import { instanceTargetOf } from '../../hooks/entityTargets';
import { useEntityLink } from '../../hooks/useEntityLink';
import { useInstanceView } from '../../hooks/useInstanceView';
import { useNow } from '../../hooks/useNow';
import { ConditionsTable } from '../ConditionsTable';
import { ClusterConnection } from '../ConnectionState';
import { InstanceActions } from '../InstanceActions';
import { CancelOperationButton, OperationsTable } from '../OperationsTable';
import { InstanceStatusLabel } from '../StatusLabel';
import { InstanceViewState, LiveIndicator } from './InstanceViewState';

/** Chart versions an instance went through, from its Upgrade operations, newest first. Pure. */
export function releaseHistory(operations: OperationSummary[]) {
  return operations
    .filter(op => op.type === 'Upgrade')
    .map(op => ({
      operation: op.name,
      from:
        typeof op.result?.fromVersion === 'string'
          ? op.result.fromVersion
          : undefined,
      to:
        typeof op.result?.toVersion === 'string'
          ? op.result.toVersion
          : undefined,
      phase: op.phase,
      at: op.completedAt ?? op.startedAt ?? op.createdAt,
      by: op.requestedBy,
    }));
}

/** Status word, the reason and message that decided it, and whether it is current. */
export function InstanceStatusSummary(props: { detail: InstanceDetail }) {
  const { summary } = props.detail;
  const behind =
    summary.generation !== undefined &&
    summary.observedGeneration !== undefined &&
    summary.observedGeneration < summary.generation;
  return (
    <>
      <Typography variant="h6" component="div">
        <InstanceStatusLabel status={summary.status} stale={summary.stale} />
      </Typography>
      {(summary.reason || summary.message) && (
        <Typography variant="body2">
          {summary.reason && <strong>{summary.reason}</strong>}
          {summary.reason && summary.message ? ': ' : ''}
          {summary.message}
        </Typography>
      )}
      {summary.stale && (
        <Alert severity="warning">
          Cluster {summary.cluster} is unreachable: this is the last state seen,
          not the current one.
        </Alert>
      )}
      {behind && (
        <Typography variant="caption" color="textSecondary">
          The operator has not yet seen generation {summary.generation}{' '}
          (observed {summary.observedGeneration}).
        </Typography>
      )}
    </>
  );
}

/** Desired chart version against the deployed one. */
export function ChartVersions(props: { detail: InstanceDetail }) {
  const { chart } = props.detail.summary;
  const drift =
    chart.deployedVersion !== undefined &&
    chart.deployedVersion !== chart.version;
  return (
    <Typography variant="body2" component="div">
      Chart <strong>{chart.name}</strong>: desired{' '}
      <strong>{chart.version}</strong>, deployed{' '}
      <strong>{chart.deployedVersion ?? 'not yet'}</strong>
      {chart.appVersion ? ` (app ${chart.appVersion})` : ''}
      {drift && (
        <Typography variant="caption" component="div" color="textSecondary">
          The deployed version differs from the desired one until the release
          converges.
        </Typography>
      )}
    </Typography>
  );
}

/**
 * The entity tab of an application instance: why it is (not) Ready, versions, its cluster's
 * connectivity, day-2 actions and its operations, all live.
 * @public
 */
export function InstanceContent() {
  const { entity } = useEntity();
  const target = instanceTargetOf(entity);
  const view = useInstanceView(target);
  const now = useNow();
  const entityLink = useEntityLink();

  return (
    <InstanceViewState error={view.error} detail={view.detail}>
      {detail => {
        const { summary } = detail;
        const history = releaseHistory(detail.operations);
        const clusterLink = entityLink(clusterEntityRef(summary.cluster));
        const clusterTitle = view.cluster?.title ?? summary.cluster;
        return (
          <Grid container spacing={3}>
            <Grid item xs={12} md={6}>
              <InfoCard
                title="Status"
                subheader={<LiveIndicator live={view.live} />}
              >
                <InstanceStatusSummary detail={detail} />
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="Cluster">
                <Typography variant="body2" gutterBottom>
                  {clusterLink ? (
                    <Link to={clusterLink}>{clusterTitle}</Link>
                  ) : (
                    clusterTitle
                  )}{' '}
                  · namespace {summary.namespace} · engine {summary.engine}
                </Typography>
                {view.cluster ? (
                  <ClusterConnection cluster={view.cluster} now={now} />
                ) : (
                  <Typography variant="body2" color="textSecondary">
                    Cluster {summary.cluster} is not registered with the
                    backend.
                  </Typography>
                )}
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="Chart">
                <ChartVersions detail={detail} />
                <Typography variant="subtitle2" style={{ marginTop: 8 }}>
                  Release history
                </Typography>
                {history.length === 0 ? (
                  <Typography variant="body2" color="textSecondary">
                    No upgrade recorded.
                  </Typography>
                ) : (
                  history.map(entry => (
                    <Typography key={entry.operation} variant="body2">
                      {entry.from ?? '?'} → {entry.to ?? '?'} ·{' '}
                      {entry.phase ?? 'submitted'}
                      {entry.by ? ` · ${entry.by}` : ''} · {entry.at ?? ''}
                    </Typography>
                  ))
                )}
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="Actions">
                <InstanceActions
                  detail={detail}
                  app={view.app}
                  cluster={view.cluster}
                  entityRef={target.entityRef}
                  onCreated={view.recordOperation}
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12}>
              <InfoCard title="Conditions">
                <ConditionsTable
                  conditions={detail.conditions}
                  generation={summary.generation}
                  now={now}
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12}>
              <InfoCard title="Operations">
                <OperationsTable
                  operations={detail.operations}
                  now={now}
                  renderActions={operation => (
                    <CancelOperationButton
                      operation={operation}
                      entityRef={target.entityRef}
                      onCancelled={view.recordOperation}
                    />
                  )}
                />
              </InfoCard>
            </Grid>
          </Grid>
        );
      }}
    </InstanceViewState>
  );
}
