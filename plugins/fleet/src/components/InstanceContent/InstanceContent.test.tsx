import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { InstanceDetail } from '@vworkspace/backstage-plugin-fleet-common';
import {
  instanceDetailFixture,
  instanceSummaryFixture,
  operationFixture,
} from '../../__fixtures__/fleet';
import {
  acceptOperations,
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
import { InstanceContent } from './InstanceContent';

const server = setupFleetServer();

// The page is large and this machine is shared: give each test room; none measures time.
jest.setTimeout(30_000);

const readyDetail = instanceDetailFixture({
  summary: instanceSummaryFixture({
    status: 'Ready',
    reason: 'Succeeded',
    message: 'Release reconciled',
    chart: { name: 'nextcloud', version: '6.2.0', deployedVersion: '6.2.0' },
    generation: 4,
    observedGeneration: 4,
  }),
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      reason: 'Succeeded',
      message: 'Release reconciled',
      lastTransitionTime: '2026-12-04T10:58:00Z',
    },
  ],
  operations: [operationFixture()],
});

function rowOf(table: HTMLElement, text: string): HTMLElement {
  const row = within(table)
    .getAllByRole('row')
    .find(candidate => candidate.textContent?.includes(text));
  if (!row) throw new Error(`no row with ${text}`);
  return row;
}

const serve = (detail?: InstanceDetail) => serveInstancePage(server, detail);

describe('InstanceContent', () => {
  it('shows progress while the instance loads', async () => {
    serve();
    server.use(http.get(instanceDetailUrl, () => new Promise(() => {})));
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('explains an entity with no instance behind it', async () => {
    serve();
    server.use(
      http.get(instanceDetailUrl, () =>
        errorResponse(
          'NotFoundError',
          'no instance team-a/nextcloud on cluster edge-paris',
          404,
        ),
      ),
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    expect(
      await screen.findByText('No fleet instance behind this entity'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('no instance team-a/nextcloud on cluster edge-paris'),
    ).toBeInTheDocument();
  });

  it('shows the backend error when loading fails', async () => {
    serve();
    server.use(
      http.get(instanceDetailUrl, () =>
        errorResponse(
          'ServiceUnavailableError',
          'fleet store is not ready yet',
          503,
        ),
      ),
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'fleet store is not ready yet',
    );
  });

  it('says why the instance is not Ready, with versions, cluster and operations', async () => {
    serve();
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    const conditions = await screen.findByRole('table', { name: 'Conditions' });
    const ready = within(conditions).getByText('Ready').closest('tr')!;
    expect(ready).toHaveTextContent('False');
    expect(ready).toHaveTextContent('UpgradeInProgress');
    expect(ready).toHaveTextContent('Helm upgrade to 6.2.0 in progress');
    expect(ready).toHaveTextContent(/ago$/);
    expect(
      screen.getByText('6.2.0', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('6.1.0', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/pull \(agent connects out\)/)).toBeInTheDocument();
    const operations = screen.getByRole('table', { name: 'Operations' });
    const upgrade = rowOf(operations, 'nextcloud-upgrade-9x2q1');
    expect(upgrade).toHaveTextContent('Running');
    expect(upgrade).toHaveTextContent('user:default/jane');
    expect(upgrade).toHaveTextContent('Progressing · InstallSucceeded');
    // Restore and Upgrade wait for the running upgrade; the reason is written out.
    expect(screen.getByRole('button', { name: 'Restore' })).toBeDisabled();
    expect(
      screen.getByText(
        'Restore, Upgrade: Upgrade nextcloud-upgrade-9x2q1 is still in progress; one change runs at a time.',
      ),
    ).toBeInTheDocument();
  });

  it('finds the instance by entity ref when the entity lacks the fleet annotations', async () => {
    serve();
    let asked: string | null = null;
    server.use(
      http.get(`${fleetBaseUrl}/entity`, ({ request }) => {
        asked = new URL(request.url).searchParams.get('entityRef');
        return HttpResponse.json(instanceDetailFixture());
      }),
    );
    const bare = {
      ...instanceEntity,
      metadata: { name: 'edge-paris--team-a--nextcloud', namespace: 'default' },
    };
    await renderWithFleet(<InstanceContent />, { entity: bare });
    expect(
      await screen.findByRole('table', { name: 'Conditions' }),
    ).toBeInTheDocument();
    expect(asked).toBe('component:default/edge-paris--team-a--nextcloud');
  });

  it('shows an empty operations list plainly', async () => {
    serve(instanceDetailFixture({ operations: [], conditions: [] }));
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    expect(
      await screen.findByText('No operation has run on this instance yet.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('The operator has not reported any condition yet.'),
    ).toBeInTheDocument();
  });

  it('takes a backup in one click and follows it live to success', async () => {
    const events = serve(readyDetail);
    const pending = operationFixture({
      name: 'nextcloud-backup-k2j9d',
      phase: undefined,
      requestedBy: 'user:default/guest',
      createdAt: '2026-12-04T11:00:00Z',
      startedAt: undefined,
      completedAt: undefined,
      result: undefined,
      engineStatus: undefined,
      delivery: { state: 'pending' },
    });
    const created = acceptOperations(pending, 202);
    server.use(created.handler);
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Backup now' }),
    );

    expect(
      await screen.findByText(
        /Backup nextcloud-backup-k2j9d requested\. Pending delivery/,
      ),
    ).toBeInTheDocument();
    expect(created.posted).toMatchObject({
      cluster: 'edge-paris',
      namespace: 'team-a',
      instance: 'nextcloud',
      type: 'Backup',
      engine: 'velero',
      // The template's default, as its form would start with it.
      parameters: { ttl: '720h' },
    });
    const operations = screen.getByRole('table', { name: 'Operations' });
    const row = () => rowOf(operations, 'nextcloud-backup-k2j9d');
    expect(row()).toHaveTextContent('Pending delivery');

    await waitFor(() => expect(events.connectionCount).toBeGreaterThan(0));
    events.send({
      id: 10,
      kind: 'operation',
      action: 'upsert',
      operation: {
        ...pending,
        phase: 'Running',
        startedAt: '2026-12-04T11:00:05Z',
        delivery: { state: 'delivered' },
      },
    });
    await waitFor(() => expect(row()).toHaveTextContent('Running'));
    events.send({
      id: 11,
      kind: 'operation',
      action: 'upsert',
      operation: {
        ...pending,
        phase: 'Succeeded',
        startedAt: '2026-12-04T11:00:05Z',
        completedAt: '2026-12-04T11:00:44Z',
        result: { backupName: 'nextcloud-backup-k2j9d' },
        engineStatus: { phase: 'Completed' },
        delivery: { state: 'delivered' },
      },
    });
    await waitFor(() => expect(row()).toHaveTextContent('Succeeded'));
    expect(row()).toHaveTextContent('39 s');
    expect(row()).toHaveTextContent('backupName: nextcloud-backup-k2j9d');
  });

  it('shows the backend refusal of a backup', async () => {
    serve(readyDetail);
    server.use(
      http.post(`${fleetBaseUrl}/operations`, () =>
        errorResponse(
          'ServiceUnavailableError',
          'cluster core-lyon is unreachable: connection refused',
          503,
        ),
      ),
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Backup now' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'cluster core-lyon is unreachable: connection refused',
    );
  });

  it('disables every action, saying why, for a user who may not operate the instance', async () => {
    serve(readyDetail);
    // Permission answers are cached per entity ref for the page's lifetime: another entity of
    // the same instance gets its own answer.
    const otherEntity = {
      ...instanceEntity,
      metadata: { ...instanceEntity.metadata, name: 'denied-view' },
    };
    await renderWithFleet(<InstanceContent />, {
      entity: otherEntity,
      allow: false,
    });
    expect(
      await screen.findByRole('button', { name: 'Backup now' }),
    ).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Restore' })).toBeDisabled();
    expect(
      screen.getByText(
        'Backup now, Restore, Upgrade, Run occ maintenance: You are not allowed to run operations on this instance (fleet.operation.create).',
      ),
    ).toBeInTheDocument();
  });

  it('restores a chosen backup after a confirmation naming what is overwritten', async () => {
    serve(readyDetail);
    const older = operationFixture({
      name: 'nextcloud-backup-aaaaa',
      completedAt: '2026-12-03T02:00:41Z',
      createdAt: '2026-12-03T02:00:00Z',
      result: { backupName: 'nextcloud-backup-aaaaa' },
    });
    const created = acceptOperations(
      operationFixture({
        name: 'nextcloud-restore-1',
        type: 'Restore',
        phase: 'Pending',
        completedAt: undefined,
      }),
    );
    server.use(
      http.get(`${fleetBaseUrl}/operations`, ({ request }) => {
        const url = new URL(request.url);
        expect(url.searchParams.get('instance')).toBe('nextcloud');
        expect(url.searchParams.get('type')).toBe('Backup');
        return HttpResponse.json({
          items: [
            operationFixture(),
            older,
            operationFixture({ name: 'bad', phase: 'Failed' }),
          ],
          totalCount: 3,
        });
      }),
      created.handler,
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Restore' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      await within(dialog).findByLabelText(/nextcloud-backup-aaaaa/),
    );
    expect(within(dialog).queryByLabelText(/^bad/)).not.toBeInTheDocument();
    expect(dialog).toHaveTextContent(
      'Restoring nextcloud-backup-aaaaa overwrites the data of nextcloud in namespace team-a on cluster edge-paris with its state of 2026-12-03T02:00:41Z. Changes made since then are lost.',
    );
    await userEvent.type(
      within(dialog).getByLabelText(/Reason/),
      'bad migration',
    );
    await userEvent.click(
      within(dialog).getByRole('button', {
        name: 'Overwrite team-a/nextcloud',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(created.posted).toMatchObject({
      type: 'Restore',
      engine: 'velero',
      parameters: { backupName: 'nextcloud-backup-aaaaa', latest: false },
      reason: 'bad migration',
    });
    expect(
      await screen.findByText('Restore nextcloud-restore-1 requested.'),
    ).toBeInTheDocument();
  });

  it('keeps the restore dialog open with the backend message when it refuses', async () => {
    serve(readyDetail);
    server.use(
      http.post(`${fleetBaseUrl}/operations`, () =>
        errorResponse(
          'ConflictError',
          'instance team-a/nextcloud is busy: Upgrade nextcloud-upgrade-2 is running',
          409,
        ),
      ),
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Restore' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      await within(dialog).findByRole('button', {
        name: 'Overwrite team-a/nextcloud',
      }),
    );
    expect(
      await within(dialog).findByText(
        'instance team-a/nextcloud is busy: Upgrade nextcloud-upgrade-2 is running',
      ),
    ).toBeInTheDocument();
  });

  it('upgrades to a version chosen from the app catalog', async () => {
    serve(readyDetail);
    const created = acceptOperations(
      operationFixture({
        name: 'nextcloud-upgrade-3',
        type: 'Upgrade',
        phase: 'Pending',
      }),
    );
    server.use(created.handler);
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Upgrade' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Chart version/ }),
    );
    await userEvent.click(await screen.findByRole('option', { name: '6.1.0' }));
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Upgrade to 6.1.0' }),
    );
    await waitFor(() =>
      expect(created.posted).toMatchObject({
        type: 'Upgrade',
        engine: 'helm',
        parameters: { version: '6.1.0' },
      }),
    );
  });

  it('runs a template operation through its generated form, validating it first', async () => {
    serve(readyDetail);
    const created = acceptOperations(
      operationFixture({
        name: 'nextcloud-runcommand-1',
        type: 'RunCommand',
        engine: 'job',
      }),
    );
    server.use(created.handler);
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Run occ maintenance' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText(/Image/)).toHaveValue('nextcloud:29');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Run occ maintenance' }),
    );
    // The command needs at least one word and it is empty: the form says so and sends nothing.
    expect(
      await within(dialog).findByText('must be string'),
    ).toBeInTheDocument();
    expect(created.posted).toBeUndefined();

    await userEvent.type(within(dialog).getByLabelText(/command-0/), 'occ');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Run occ maintenance' }),
    );
    await waitFor(() =>
      expect(created.posted).toMatchObject({
        type: 'RunCommand',
        engine: 'job',
        parameters: { image: 'nextcloud:29', command: ['occ'] },
      }),
    );
  });

  it('cancels a running operation', async () => {
    serve();
    server.use(
      http.post(
        `${fleetBaseUrl}/operations/edge-paris/team-a/nextcloud-upgrade-9x2q1/cancel`,
        () =>
          HttpResponse.json(
            operationFixture({
              name: 'nextcloud-upgrade-9x2q1',
              type: 'Upgrade',
              engine: 'helm',
              phase: 'Cancelled',
              createdAt: '2026-12-04T10:57:50Z',
            }),
          ),
      ),
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Cancel nextcloud-upgrade-9x2q1',
      }),
    );
    const operations = screen.getByRole('table', { name: 'Operations' });
    await waitFor(() =>
      expect(rowOf(operations, 'nextcloud-upgrade-9x2q1')).toHaveTextContent(
        'Cancelled',
      ),
    );
    // A finished operation has nothing left to cancel.
    expect(
      screen.queryByRole('button', { name: /^Cancel nextcloud/ }),
    ).not.toBeInTheDocument();
  });

  it('shows why a cancel was refused', async () => {
    serve();
    server.use(
      http.post(
        `${fleetBaseUrl}/operations/edge-paris/team-a/nextcloud-upgrade-9x2q1/cancel`,
        () =>
          errorResponse(
            'ConflictError',
            'operation nextcloud-upgrade-9x2q1 already completed',
            409,
          ),
      ),
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Cancel nextcloud-upgrade-9x2q1',
      }),
    );
    expect(
      await screen.findByText(
        'operation nextcloud-upgrade-9x2q1 already completed',
      ),
    ).toBeInTheDocument();
  });

  it('disables cancel for a user the policy does not allow', async () => {
    serve();
    const otherEntity = {
      ...instanceEntity,
      metadata: { ...instanceEntity.metadata, name: 'no-cancel-view' },
    };
    await renderWithFleet(<InstanceContent />, {
      entity: otherEntity,
      allow: false,
    });
    expect(
      await screen.findByRole('button', {
        name: 'Cancel nextcloud-upgrade-9x2q1',
      }),
    ).toBeDisabled();
    expect(
      screen.getByText(
        'You are not allowed to cancel operations on this instance (fleet.operation.cancel).',
      ),
    ).toBeInTheDocument();
  });

  it('applies instance changes from the stream and lists again on resync', async () => {
    const events = serve();
    let loads = 0;
    server.use(
      http.get(instanceDetailUrl, () => {
        loads += 1;
        return HttpResponse.json(instanceDetailFixture());
      }),
    );
    await renderWithFleet(<InstanceContent />, { entity: instanceEntity });
    await screen.findByRole('table', { name: 'Conditions' });
    await waitFor(() => expect(events.connectionCount).toBeGreaterThan(0));
    events.send({
      id: 20,
      kind: 'instance',
      action: 'upsert',
      instance: instanceSummaryFixture({
        status: 'Failed',
        reason: 'UpgradeFailed',
        message: 'Helm upgrade failed: timed out waiting for the condition',
      }),
    });
    const reason = await screen.findByText('UpgradeFailed', {
      selector: 'strong',
    });
    expect(reason.parentElement).toHaveTextContent(
      'UpgradeFailed: Helm upgrade failed: timed out waiting for the condition',
    );
    expect(loads).toBe(1);
    events.resync();
    await waitFor(() => expect(loads).toBe(2));
  });
});
