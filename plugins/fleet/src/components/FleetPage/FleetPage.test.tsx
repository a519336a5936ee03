import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { InstanceSummary } from '@vworkspace/backstage-plugin-fleet-common';
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
import { renderWithFleet } from '../../__testUtils__/renderWithFleet';
import { instanceRowHeight } from '../InstancesTable';
import { FleetPageContent } from './FleetPage';

const server = setupFleetServer();

// The page is large and this machine is shared: give each test room, none measures time.
jest.setTimeout(30_000);

const clusters = [
  clusterFixture(),
  clusterFixture({
    name: 'core-lyon',
    title: 'Core Lyon',
    mode: 'push',
    connection: {
      state: 'unreachable',
      since: '2026-12-04T10:00:00Z',
      error: 'dial tcp 10.1.0.1:6443: connect: connection refused',
    },
  }),
];
const instances = [
  instanceSummaryFixture({
    name: 'nextcloud',
    status: 'Ready',
    reason: undefined,
    message: undefined,
  }),
  instanceSummaryFixture({
    name: 'wiki',
    app: 'wikijs',
    entityRef: 'component:default/edge-paris--team-b--wiki',
    namespace: 'team-b',
    owner: 'group:team-b',
    status: 'Failed',
    reason: 'InstallFailed',
    message: 'image pull back-off',
  }),
  instanceSummaryFixture({
    name: 'nextcloud',
    cluster: 'core-lyon',
    status: 'Ready',
    stale: true,
    entityRef: 'component:default/core-lyon--team-a--nextcloud',
  }),
];

function serve(items: InstanceSummary[] = instances) {
  const events = liveEvents();
  server.use(
    http.get(`${fleetBaseUrl}/clusters`, () =>
      HttpResponse.json({ items: clusters }),
    ),
    http.get(`${fleetBaseUrl}/instances`, () =>
      HttpResponse.json({ items, totalCount: items.length }),
    ),
    events.handler,
  );
  return events;
}

/** The instance rows in the DOM (a query by selector: role queries are slow on large DOMs). */
function instanceRows(): HTMLElement[] {
  return [
    ...document.querySelectorAll<HTMLElement>(
      '[role=table][aria-label=Instances] [role=row]',
    ),
  ].filter(row => row.getAttribute('aria-rowindex') !== '1');
}

describe('FleetPageContent', () => {
  it('shows progress while the fleet loads', async () => {
    serve();
    server.use(
      http.get(`${fleetBaseUrl}/instances`, () => new Promise(() => {})),
    );
    await renderWithFleet(<FleetPageContent />);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    serve();
    server.use(
      http.get(`${fleetBaseUrl}/clusters`, () =>
        errorResponse('NotAllowedError', 'You may not list clusters', 403),
      ),
    );
    await renderWithFleet(<FleetPageContent />);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You may not list clusters',
    );
  });

  it('says so when the fleet has no instance yet, still showing clusters', async () => {
    serve([]);
    await renderWithFleet(<FleetPageContent />);
    expect(
      await screen.findByText('No application instance in the fleet yet'),
    ).toBeInTheDocument();
    expect(screen.getByText('Edge Paris')).toBeInTheDocument();
  });

  it('shows clusters with their connection and every instance linked to its entity', async () => {
    serve();
    await renderWithFleet(<FleetPageContent />);
    const lyon = await screen.findByRole('button', {
      name: 'Filter on cluster core-lyon',
    });
    expect(lyon).toHaveTextContent('unreachable');
    expect(lyon).toHaveTextContent('connection refused');
    expect(instanceRows()).toHaveLength(3);
    const wiki = instanceRows().find(row => row.textContent?.includes('wiki'))!;
    expect(wiki).toHaveTextContent('InstallFailed: image pull back-off');
    expect(within(wiki).getByRole('link', { name: 'wiki' })).toHaveAttribute(
      'href',
      '/catalog/default/component/edge-paris--team-b--wiki',
    );
    expect(screen.getByRole('status')).toHaveTextContent('3 of 3 instances');
  });

  it('filters from a number of the summary, from a filter and from the search', async () => {
    serve();
    await renderWithFleet(<FleetPageContent />);
    await userEvent.click(
      await screen.findByLabelText('1 Failed in edge-paris'),
    );
    expect(instanceRows().map(r => r.textContent)).toEqual([
      expect.stringContaining('wiki'),
    ]);
    expect(screen.getByRole('status')).toHaveTextContent('1 of 3 instances');

    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await userEvent.click(screen.getByLabelText('2 Ready in nextcloud'));
    expect(instanceRows()).toHaveLength(2);

    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await userEvent.click(screen.getByRole('button', { name: /^Owner/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'group:team-b' }),
    );
    expect(instanceRows()).toHaveLength(1);

    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await userEvent.type(screen.getByLabelText('Search'), 'LYON');
    expect(instanceRows().map(r => r.textContent)).toEqual([
      expect.stringContaining('core-lyon'),
    ]);

    await userEvent.clear(screen.getByLabelText('Search'));
    await userEvent.type(screen.getByLabelText('Search'), 'gitlab');
    expect(
      screen.getByText('No instance matches these filters.'),
    ).toBeInTheDocument();
  });

  it('reads its filters from the URL, so a filtered view can be linked to', async () => {
    serve();
    await renderWithFleet(<FleetPageContent />, {
      routeEntries: ['/?cluster=core-lyon&status=Ready'],
    });
    expect(await screen.findByRole('status')).toHaveTextContent(
      '1 of 3 instances',
    );
    expect(instanceRows().map(r => r.textContent)).toEqual([
      expect.stringContaining('core-lyon'),
    ]);
  });

  it('applies live changes to the table and the summary', async () => {
    const events = serve();
    await renderWithFleet(<FleetPageContent />);
    await screen.findByRole('table', { name: 'Instances' });
    await waitFor(() => expect(events.connectionCount).toBeGreaterThan(0));
    events.send({
      id: 5,
      kind: 'instance',
      action: 'upsert',
      instance: {
        ...instances[1],
        status: 'Ready',
        reason: undefined,
        message: undefined,
      },
    });
    expect(
      await screen.findByLabelText('2 Ready in edge-paris'),
    ).toBeInTheDocument();
    events.send({
      id: 6,
      kind: 'instance',
      action: 'delete',
      instance: instances[2],
    });
    await waitFor(() =>
      expect(
        screen.queryByText('core-lyon', { selector: '[role=cell]' }),
      ).not.toBeInTheDocument(),
    );
    await waitFor(() => expect(instanceRows()).toHaveLength(2));
    events.send({
      id: 7,
      kind: 'cluster',
      action: 'upsert',
      cluster: {
        ...clusters[1],
        connection: { state: 'connected', since: '2026-12-04T11:00:00Z' },
      },
    });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Filter on cluster core-lyon' }),
      ).toHaveTextContent('connected'),
    );
  });

  it('keeps only a window of 10,000 instances in the DOM, and scrolls to any of them', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => {
      const name = `app-${String(i).padStart(5, '0')}`;
      return instanceSummaryFixture({
        name,
        cluster: `cluster-${i % 50}`,
        entityRef: `component:default/${name}`,
      });
    });
    server.use(
      http.get(`${fleetBaseUrl}/clusters`, () =>
        HttpResponse.json({ items: clusters }),
      ),
      http.get(`${fleetBaseUrl}/instances`, ({ request }) => {
        const url = new URL(request.url);
        const start = Number(url.searchParams.get('cursor') ?? 0);
        const limit = Number(url.searchParams.get('limit'));
        const end = Math.min(start + limit, many.length);
        return HttpResponse.json({
          items: many.slice(start, end),
          totalCount: many.length,
          nextCursor: end < many.length ? String(end) : undefined,
        });
      }),
      liveEvents().handler,
    );
    await renderWithFleet(<FleetPageContent />);
    expect(await screen.findByRole('status')).toHaveTextContent(
      '10000 of 10000 instances',
    );
    const table = screen.getByRole('table', { name: 'Instances' });
    expect(table).toHaveAttribute('aria-rowcount', '10001');
    const rendered = instanceRows().length;
    process.stdout.write(
      `fleet page: 10000 instances, ${rendered} rows in the DOM\n`,
    );
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThanOrEqual(30);
    expect(screen.getByText('app-00000')).toBeInTheDocument();

    const scroller = table.querySelector(
      'div[style*="overflow"]',
    ) as HTMLElement;
    // jsdom does no layout: give the scroll container the sizes a browser would.
    Object.defineProperty(scroller, 'clientHeight', { value: 600 });
    Object.defineProperty(scroller, 'scrollHeight', {
      value: 10_000 * instanceRowHeight,
    });
    fireEvent.scroll(scroller, {
      target: { scrollTop: 7000 * instanceRowHeight },
    });
    expect(await screen.findByText('app-07000')).toBeInTheDocument();
    expect(screen.queryByText('app-00000')).not.toBeInTheDocument();
    expect(instanceRows().length).toBeLessThanOrEqual(30);
  });
});
