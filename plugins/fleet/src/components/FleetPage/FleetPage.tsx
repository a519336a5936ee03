import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  Content,
  EmptyState,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardActionArea from '@material-ui/core/CardActionArea';
import CardContent from '@material-ui/core/CardContent';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  instanceStatuses,
  type ClusterSummary,
  type InstanceStatus,
} from '@vworkspace/backstage-plugin-fleet-common';
import {
  distinctValues,
  filterInstances,
  filtersFromParams,
  filtersToParams,
  summarizeInstances,
  type InstanceFilters,
} from '../../hooks/instanceFilters';
import { formatAge } from '../../hooks/formatTime';
import { useFleetView } from '../../hooks/useFleetView';
import { useNow } from '../../hooks/useNow';
import { LiveIndicator } from '../InstanceContent/InstanceViewState';
import { InstancesTable } from '../InstancesTable';
import { ConnectionStateLabel } from '../StatusLabel';
import { SummaryTable } from './SummaryTable';

function ClusterCards(props: {
  clusters: ClusterSummary[];
  selected?: string;
  onSelect: (cluster: string) => void;
  now: number;
}) {
  if (props.clusters.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No cluster is registered with the fleet backend.
      </Typography>
    );
  }
  return (
    <Grid container spacing={2}>
      {props.clusters.map(cluster => (
        <Grid item key={cluster.name} xs={12} sm={6} md={3}>
          <Card variant="outlined" raised={props.selected === cluster.name}>
            <CardActionArea
              aria-label={`Filter on cluster ${cluster.name}`}
              onClick={() => props.onSelect(cluster.name)}
            >
              <CardContent>
                <Typography variant="subtitle1">{cluster.title}</Typography>
                <Typography variant="body2" component="div">
                  <ConnectionStateLabel state={cluster.connection.state} />
                </Typography>
                <Typography variant="body2" component="div">
                  {cluster.mode} · {cluster.instanceCount} instances
                </Typography>
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="div"
                >
                  {cluster.connection.lastSeen
                    ? `last seen ${formatAge(
                        cluster.connection.lastSeen,
                        props.now,
                      )}`
                    : 'never seen'}
                </Typography>
                {cluster.connection.error && (
                  <Typography variant="caption" color="error" component="div">
                    {cluster.connection.error}
                  </Typography>
                )}
              </CardContent>
            </CardActionArea>
          </Card>
        </Grid>
      ))}
    </Grid>
  );
}

function FilterSelect(props: {
  label: string;
  value?: string;
  options: readonly string[];
  onChange: (value?: string) => void;
}) {
  const id = `fleet-filter-${props.label.toLowerCase()}`;
  return (
    <TextField
      select
      id={id}
      label={props.label}
      value={props.value ?? ''}
      onChange={event => props.onChange(event.target.value || undefined)}
      style={{ minWidth: 160 }}
      size="small"
      variant="outlined"
    >
      <MenuItem value="">All</MenuItem>
      {props.options.map(option => (
        <MenuItem key={option} value={option}>
          {option}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * The fleet at a glance: clusters and how they are connected, status counts by cluster and by
 * app (each number filters the table), and every instance, filterable, searchable and live.
 * Without a page header, for apps that draw their own (the new frontend system does).
 * @public
 */
export function FleetPageContent() {
  const view = useFleetView();
  const now = useNow(5000);
  // Filters live in the URL: a filtered view can be shared, and survives a reload.
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const setFilters = useCallback(
    (next: InstanceFilters) =>
      setParams(filtersToParams(next), { replace: true }),
    [setParams],
  );
  const summary = useMemo(
    () => summarizeInstances(view.instances),
    [view.instances],
  );
  const visible = useMemo(
    () => filterInstances(view.instances, filters),
    [view.instances, filters],
  );
  const choices = useMemo(
    () => ({
      cluster: distinctValues(view.instances, 'cluster'),
      app: distinctValues(view.instances, 'app'),
      owner: distinctValues(view.instances, 'owner'),
    }),
    [view.instances],
  );

  if (view.error) return <ResponseErrorPanel error={view.error} />;
  if (
    view.loading &&
    view.instances.length === 0 &&
    view.clusters.length === 0
  ) {
    return <Progress />;
  }
  const set = (patch: InstanceFilters) => setFilters({ ...filters, ...patch });

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard
          title="Clusters"
          subheader={<LiveIndicator live={view.live} />}
        >
          <ClusterCards
            clusters={view.clusters}
            selected={filters.cluster}
            onSelect={cluster => set({ cluster })}
            now={now}
          />
        </InfoCard>
      </Grid>
      {view.instances.length === 0 ? (
        <Grid item xs={12}>
          <EmptyState
            missing="data"
            title="No application instance in the fleet yet"
            description="Instances appear here as soon as a cluster reports them."
          />
        </Grid>
      ) : (
        <>
          <Grid item xs={12} md={6}>
            <InfoCard title="Status by cluster">
              <SummaryTable
                label="Cluster"
                counts={summary.byCluster}
                onSelect={(cluster, status) => setFilters({ cluster, status })}
              />
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={6}>
            <InfoCard title="Status by app">
              <SummaryTable
                label="App"
                counts={summary.byApp}
                onSelect={(app, status) => setFilters({ app, status })}
              />
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <InfoCard title="Instances">
              <Box
                display="flex"
                flexWrap="wrap"
                alignItems="center"
                mb={2}
                style={{ gap: 8 }}
              >
                <TextField
                  id="fleet-search"
                  label="Search"
                  size="small"
                  variant="outlined"
                  value={filters.q ?? ''}
                  onChange={event =>
                    set({ q: event.target.value || undefined })
                  }
                />
                <FilterSelect
                  label="Cluster"
                  value={filters.cluster}
                  options={choices.cluster}
                  onChange={cluster => set({ cluster })}
                />
                <FilterSelect
                  label="App"
                  value={filters.app}
                  options={choices.app}
                  onChange={app => set({ app })}
                />
                <FilterSelect
                  label="Status"
                  value={filters.status}
                  options={instanceStatuses}
                  onChange={status =>
                    set({ status: status as InstanceStatus | undefined })
                  }
                />
                <FilterSelect
                  label="Owner"
                  value={filters.owner}
                  options={choices.owner}
                  onChange={owner => set({ owner })}
                />
                <Button
                  onClick={() => setFilters({})}
                  disabled={Object.values(filters).every(v => !v)}
                >
                  Clear filters
                </Button>
                <Typography variant="body2" color="textSecondary" role="status">
                  {visible.length} of {view.instances.length} instances
                </Typography>
              </Box>
              <InstancesTable
                items={visible}
                emptyText="No instance matches these filters."
              />
            </InfoCard>
          </Grid>
        </>
      )}
    </Grid>
  );
}

/** The fleet page with its own header, for apps on the classic frontend system. @public */
export function FleetPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Fleet"
        subtitle="Every cluster and application instance, live"
      />
      <Content>
        <FleetPageContent />
      </Content>
    </Page>
  );
}
