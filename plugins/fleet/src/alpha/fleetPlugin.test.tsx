import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  appFixture,
  clusterFixture,
  instanceDetailFixture,
  instanceSummaryFixture,
} from '../__fixtures__/fleet';
import {
  createTestFleetClient,
  fleetBaseUrl,
  liveEvents,
  setupFleetServer,
} from '../__testUtils__/fleetServer';
import {
  clusterEntity,
  instanceEntity,
} from '../__testUtils__/renderWithFleet';
import { fleetApiRef } from '../api/FleetApi';
import fleetPlugin, {
  fleetClusterEntityContent,
  fleetInstanceEntityContent,
} from './fleetPlugin';

const server = setupFleetServer();
jest.setTimeout(30_000);

function serve() {
  server.use(
    http.get(`${fleetBaseUrl}/clusters`, () =>
      HttpResponse.json({ items: [clusterFixture()] }),
    ),
    http.get(`${fleetBaseUrl}/instances`, () =>
      HttpResponse.json({ items: [instanceSummaryFixture()], totalCount: 1 }),
    ),
    http.get(`${fleetBaseUrl}/instances/edge-paris/team-a/nextcloud`, () =>
      HttpResponse.json(instanceDetailFixture()),
    ),
    http.get(`${fleetBaseUrl}/apps`, () =>
      HttpResponse.json({ items: [appFixture()] }),
    ),
    liveEvents().handler,
  );
}

describe('fleet plugin for the new frontend system', () => {
  it('mounts the fleet page at /fleet, with its own API client on the app discovery', async () => {
    serve();
    renderTestApp({
      features: [fleetPlugin],
      initialRouteEntries: ['/fleet'],
      apis: [mockApis.discovery({ baseUrl: 'http://example.com' })],
    });
    expect(
      await screen.findByText('Edge Paris', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('1 of 1 instances')).toBeInTheDocument();
  });

  it('offers a Fleet tab on application instances only', () => {
    const tester = createExtensionTester(fleetInstanceEntityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('/fleet');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Fleet');
    // The filter is a predicate object, which the blueprint turns into a function.
    const matches = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(matches?.(instanceEntity)).toBe(true);
    expect(matches?.(clusterEntity)).toBe(false);
  });

  it('renders the instance tab from the entity', async () => {
    serve();
    const tester = createExtensionTester(fleetInstanceEntityContent);
    await renderInTestApp(
      <EntityProvider entity={instanceEntity}>
        {tester.reactElement()}
      </EntityProvider>,
      {
        apis: [
          [fleetApiRef, createTestFleetClient()],
          [permissionApiRef, mockApis.permission()],
        ],
      },
    );
    expect(
      await screen.findByRole(
        'table',
        { name: 'Conditions' },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
  });

  it('offers a Fleet tab on clusters', () => {
    const tester = createExtensionTester(fleetClusterEntityContent);
    const matches = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(matches?.(clusterEntity)).toBe(true);
    expect(matches?.(instanceEntity)).toBe(false);
    expect(tester.get(coreExtensionData.routePath)).toBe('/fleet');
  });
});
