import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { InstanceDetail } from '@vworkspace/backstage-plugin-fleet-common';
import {
  instanceDetailFixture,
  instanceSummaryFixture,
  operationFixture,
} from '../../__fixtures__/fleet';
import {
  errorResponse,
  fleetBaseUrl,
  instanceDetailUrl,
  serveInstancePage,
  setupFleetServer,
} from '../../__testUtils__/fleetServer';
import {
  instanceEntity,
  renderWithFleet,
} from '../../__testUtils__/renderWithFleet';
import { InstanceOverviewCard } from './InstanceOverviewCard';

const server = setupFleetServer();
jest.setTimeout(30_000);
const serve = (detail?: InstanceDetail) => serveInstancePage(server, detail);

describe('InstanceOverviewCard', () => {
  it('shows progress while loading', async () => {
    serve();
    server.use(http.get(instanceDetailUrl, () => new Promise(() => {})));
    await renderWithFleet(<InstanceOverviewCard />, { entity: instanceEntity });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    serve();
    server.use(
      http.get(instanceDetailUrl, () =>
        errorResponse('NotAllowedError', 'not allowed to read team-a', 403),
      ),
    );
    await renderWithFleet(<InstanceOverviewCard />, { entity: instanceEntity });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'not allowed to read team-a',
    );
  });

  it('says when the instance never had a backup nor an operation', async () => {
    serve(
      instanceDetailFixture({
        summary: instanceSummaryFixture({ lastBackup: undefined }),
        operations: [],
      }),
    );
    await renderWithFleet(<InstanceOverviewCard />, { entity: instanceEntity });
    expect(await screen.findByText('Last backup: never')).toBeInTheDocument();
    expect(screen.queryByText(/Latest operation/)).not.toBeInTheDocument();
  });

  it('summarises status, versions, connectivity and the latest operation, and takes a backup', async () => {
    serve(
      instanceDetailFixture({
        summary: instanceSummaryFixture({
          status: 'Ready',
          reason: 'Succeeded',
          message: 'Release reconciled',
        }),
        operations: [operationFixture()],
      }),
    );
    let posted = false;
    server.use(
      http.post(`${fleetBaseUrl}/operations`, () => {
        posted = true;
        return HttpResponse.json(
          operationFixture({
            name: 'nextcloud-backup-new',
            phase: 'Pending',
            completedAt: undefined,
          }),
          { status: 201 },
        );
      }),
    );
    await renderWithFleet(<InstanceOverviewCard />, { entity: instanceEntity });
    expect(
      await screen.findByText('Succeeded', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/pull \(agent connects out\)/)).toBeInTheDocument();
    expect(
      screen.getByText(/Latest operation: Backup nextcloud-backup-7f3k2/),
    ).toHaveTextContent('Succeeded');
    await userEvent.click(screen.getByRole('button', { name: 'Backup now' }));
    expect(
      await screen.findByText('Backup nextcloud-backup-new requested.'),
    ).toBeInTheDocument();
    expect(posted).toBe(true);
  });
});
