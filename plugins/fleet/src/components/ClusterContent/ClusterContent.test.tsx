import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import {
  clusterFixture,
  instanceSummaryFixture,
} from '../../__fixtures__/fleet';
import {
  errorResponse,
  fleetBaseUrl,
  liveEvents,
  setupFleetServer,
} from '../../__testUtils__/fleetServer';
import {
  clusterEntity,
  renderWithFleet,
} from '../../__testUtils__/renderWithFleet';
import { ClusterContent } from './ClusterContent';
import { ClusterOverviewCard } from './ClusterOverviewCard';

const server = setupFleetServer();
jest.setTimeout(30_000);

function serve(
  options: { instances?: ReturnType<typeof instanceSummaryFixture>[] } = {},
) {
  const events = liveEvents();
  const seenQueries: string[] = [];
  server.use(
    http.get(`${fleetBaseUrl}/clusters`, () =>
      HttpResponse.json({
        items: [
          clusterFixture({
            connection: {
              state: 'degraded',
              since: '2026-12-04T10:00:00Z',
              lastSeen: '2026-12-04T10:59:00Z',
              error:
                'watch operations.ops.vworkspace.io: 429 Too Many Requests',
            },
          }),
          clusterFixture({ name: 'core-lyon', title: 'Core Lyon' }),
        ],
      }),
    ),
    http.get(`${fleetBaseUrl}/instances`, ({ request }) => {
      seenQueries.push(new URL(request.url).searchParams.get('cluster') ?? '');
      const items = options.instances ?? [instanceSummaryFixture()];
      return HttpResponse.json({ items, totalCount: items.length });
    }),
    events.handler,
  );
  return { events, seenQueries };
}

function instanceRowCount() {
  return (
    document.querySelectorAll('[role=table][aria-label=Instances] [role=row]')
      .length - 1
  );
}

describe('ClusterContent', () => {
  it('shows progress while the cluster loads', async () => {
    serve();
    server.use(
      http.get(`${fleetBaseUrl}/clusters`, () => new Promise(() => {})),
    );
    await renderWithFleet(<ClusterContent />, { entity: clusterEntity });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    serve();
    server.use(
      http.get(`${fleetBaseUrl}/clusters`, () =>
        errorResponse(
          'ServiceUnavailableError',
          'fleet store is starting',
          503,
        ),
      ),
    );
    await renderWithFleet(<ClusterContent />, { entity: clusterEntity });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'fleet store is starting',
    );
  });

  it('says when the backend does not know the cluster', async () => {
    serve();
    const gone = {
      ...clusterEntity,
      metadata: { name: 'old-cluster', namespace: 'default' },
    };
    await renderWithFleet(<ClusterContent />, { entity: gone });
    expect(
      await screen.findByText(
        'Cluster old-cluster is not registered with the fleet',
      ),
    ).toBeInTheDocument();
  });

  it('shows connection state, mode, labels and only its instances', async () => {
    const { seenQueries } = serve();
    await renderWithFleet(<ClusterContent />, { entity: clusterEntity });
    expect(await screen.findByText('degraded')).toBeInTheDocument();
    expect(
      screen.getByText(
        'watch operations.ops.vworkspace.io: 429 Too Many Requests',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('pull', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(screen.getByText('region=eu-west')).toBeInTheDocument();
    expect(screen.getByText('env=production')).toBeInTheDocument();
    expect(screen.getByText('Instances (1)')).toBeInTheDocument();
    expect(instanceRowCount()).toBe(1);
    expect(seenQueries).toEqual(['edge-paris']);
  });

  it('says when the cluster runs no instance', async () => {
    serve({ instances: [] });
    await renderWithFleet(<ClusterContent />, { entity: clusterEntity });
    expect(
      await screen.findByText('No application instance on this cluster.'),
    ).toBeInTheDocument();
  });

  it('adds instances of this cluster from the stream and ignores other clusters', async () => {
    const { events } = serve();
    await renderWithFleet(<ClusterContent />, { entity: clusterEntity });
    await screen.findByText('Instances (1)');
    await waitFor(() => expect(events.connectionCount).toBeGreaterThan(0));
    events.send({
      id: 1,
      kind: 'instance',
      action: 'upsert',
      instance: instanceSummaryFixture({
        cluster: 'core-lyon',
        name: 'elsewhere',
      }),
    });
    events.send({
      id: 2,
      kind: 'instance',
      action: 'upsert',
      instance: instanceSummaryFixture({ name: 'gitea', app: 'gitea' }),
    });
    expect(await screen.findByText('Instances (2)')).toBeInTheDocument();
    expect(screen.queryByText('elsewhere')).not.toBeInTheDocument();
  });
});

describe('ClusterOverviewCard', () => {
  it('shows the connection and the status counts of its instances', async () => {
    serve({
      instances: [
        instanceSummaryFixture({ name: 'a', status: 'Ready' }),
        instanceSummaryFixture({ name: 'b', status: 'Ready' }),
        instanceSummaryFixture({ name: 'c', status: 'Failed' }),
      ],
    });
    await renderWithFleet(<ClusterOverviewCard />, { entity: clusterEntity });
    expect(
      await screen.findByText('3 instances: 1 Failed, 2 Ready'),
    ).toBeInTheDocument();
    expect(screen.getByText('degraded')).toBeInTheDocument();
  });

  it('says when the cluster is unknown, and shows errors', async () => {
    serve();
    server.use(
      http.get(`${fleetBaseUrl}/clusters`, () =>
        errorResponse(
          'ServiceUnavailableError',
          'fleet store is starting',
          503,
        ),
      ),
    );
    await renderWithFleet(<ClusterOverviewCard />, { entity: clusterEntity });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'fleet store is starting',
    );
  });

  it('says when the cluster runs nothing', async () => {
    serve({ instances: [] });
    await renderWithFleet(<ClusterOverviewCard />, { entity: clusterEntity });
    expect(
      await screen.findByText('No application instance on this cluster.'),
    ).toBeInTheDocument();
  });
});
