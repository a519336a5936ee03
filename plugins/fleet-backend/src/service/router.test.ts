import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  instanceEntityRef,
  InstanceSummary,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { SimCluster } from '@vworkspace/kube-sim';
import request from 'supertest';
import { bundledDemoCatalogPath } from '../catalog/AppCatalog';
import { eventually } from '../__testUtils__/eventually';
import {
  CapturedLogs,
  createInstance,
  operationGvr,
  startFleetCluster,
} from '../__testUtils__/fleetSim';
import { SseClient } from '../__testUtils__/SseClient';
import { fleetPlugin } from '../plugin';

const admin = 'user:default/admin';
const alice = 'user:default/alice';
const mallory = 'user:default/mallory';
const broken = 'user:default/broken-permissions';

/**
 * The permission framework as the portal's policy answers: admins may do everything; others
 * get a conditional decision "is owner of the entity", which the framework resolves against
 * the catalog entity named by the request's resourceRef. Here the catalog is a map of
 * entity ref → owner, as the catalog module will emit it.
 */
const entityOwners = new Map<string, string>();
const authorizeCalls: Array<{ permission: string; resourceRef?: string; user?: string }> = [];
const permissions = mockServices.permissions.mock({
  async authorize(requests, options) {
    const principal = options.credentials.principal as { userEntityRef?: string };
    return requests.map(r => {
      const resourceRef = (r as { resourceRef?: string }).resourceRef;
      authorizeCalls.push({ permission: r.permission.name, resourceRef, user: principal.userEntityRef });
      if (principal.userEntityRef === broken) {
        // the permission backend failing, as a client library reports it
        throw Object.assign(new Error('Request failed with 500 Internal Server Error'), {
          name: 'ResponseError',
          statusCode: 500,
          body: { internal: 'stack of the permission backend' },
        });
      }
      if (principal.userEntityRef === admin) return { result: AuthorizeResult.ALLOW };
      const owner = resourceRef ? entityOwners.get(resourceRef) : undefined;
      return {
        result: owner && owner === principal.userEntityRef ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    });
  },
});
const auditor = mockServices.auditor.mock();

describe('fleet router', () => {
  let eu: SimCluster;
  let us: SimCluster;
  let backend: TestBackend;
  const logs = new CapturedLogs();
  const responses: string[] = [];
  let baseUrl: string;

  const as = (user: string) => ({ Authorization: mockCredentials.user.header(user) });

  /** Requests through supertest, recording every answer for the credential check. */
  async function get(path: string, user = admin) {
    const res = await request(backend.server).get(path).set(as(user));
    responses.push(JSON.stringify(res.headers) + res.text);
    return res;
  }
  async function post(path: string, body: unknown, user = admin) {
    const res = await request(backend.server).post(path).set(as(user)).send(body as object);
    responses.push(JSON.stringify(res.headers) + res.text);
    return res;
  }

  beforeAll(async () => {
    eu = await startFleetCluster('eu-1', { tls: true, namespaces: ['team-a', 'team-b'] });
    us = await startFleetCluster('us-1', { namespaces: ['team-c'] });
    await createInstance(eu, { namespace: 'team-a', name: 'nextcloud', app: 'nextcloud', version: '6.2.0', owner: alice, ready: true });
    await createInstance(eu, { namespace: 'team-b', name: 'gitea', app: 'gitea', version: '10.6.0', owner: 'group:default/team-b', ready: false });
    await createInstance(us, {
      namespace: 'team-c',
      name: 'files',
      app: 'nextcloud',
      version: '6.3.0',
      owner: alice,
      ready: true,
      lastBackup: { operation: 'files-backup-1', completedAt: '2026-01-01T00:00:00Z' },
    });
    entityOwners.set(instanceEntityRef({ cluster: 'eu-1', namespace: 'team-a', name: 'nextcloud' }), alice);
    entityOwners.set(instanceEntityRef({ cluster: 'us-1', namespace: 'team-c', name: 'files' }), alice);

    backend = await startTestBackend({
      features: [
        fleetPlugin,
        logs.factory(),
        permissions.factory,
        auditor.factory,
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
        mockServices.rootConfig.factory({
          data: {
            fleet: {
              appCatalog: { files: [bundledDemoCatalogPath()] },
              events: { heartbeatSeconds: 0.2 },
              clusters: [
                {
                  name: 'eu-1',
                  title: 'Europe 1',
                  url: eu.url,
                  caData: eu.caPem,
                  auth: { type: 'serviceAccountToken', token: eu.adminToken },
                  labels: { region: 'eu', env: 'prod' },
                },
                {
                  name: 'us-1',
                  url: us.url,
                  auth: { type: 'serviceAccountToken', token: us.adminToken },
                  labels: { region: 'us' },
                },
              ],
            },
          },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${backend.server.port()}`;
    await eventually(async () => {
      const res = await get('/api/fleet/clusters');
      const states = res.body.items.map((c: { connection: { state: string } }) => c.connection.state);
      const total = (await get('/api/fleet/instances')).body.totalCount;
      if (states.join() !== 'connected,connected' || total !== 3) throw new Error(`not synced yet: ${states} ${total}`);
    });
  }, 60_000);

  afterAll(async () => {
    await backend?.stop();
    await eu?.stop();
    await us?.stop();
  });

  it('refuses requests without credentials', async () => {
    const res = await request(backend.server).get('/api/fleet/instances');
    expect(res.status).toBe(401);
    const events = await request(backend.server).get('/api/fleet/events');
    expect(events.status).toBe(401);
  });

  it('lists clusters with their connection state and instance counts', async () => {
    const res = await get('/api/fleet/clusters');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        name: 'eu-1',
        title: 'Europe 1',
        mode: 'push',
        labels: { region: 'eu', env: 'prod' },
        instanceCount: 2,
        connection: expect.objectContaining({ state: 'connected', lastSeen: expect.any(String) }),
      }),
      expect.objectContaining({ name: 'us-1', title: 'us-1', instanceCount: 1 }),
    ]);
  });

  it('lists instances as lean summaries, filtered and searched', async () => {
    const all = await get('/api/fleet/instances');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: InstanceSummary) => `${i.cluster}/${i.namespace}/${i.name}`)).toEqual([
      'eu-1/team-a/nextcloud',
      'eu-1/team-b/gitea',
      'us-1/team-c/files',
    ]);
    const nextcloud = all.body.items[0] as InstanceSummary;
    expect(nextcloud).toEqual(
      expect.objectContaining({
        app: 'nextcloud',
        entityRef: 'component:default/eu-1--team-a--nextcloud',
        owner: alice,
        status: 'Ready',
        stale: false,
        chart: expect.objectContaining({ name: 'nextcloud', version: '6.2.0', deployedVersion: '6.2.0' }),
        capabilities: { Backup: 'velero', Restore: 'velero', Upgrade: 'helm' },
      }),
    );
    expect(JSON.stringify(all.body)).not.toContain('managedFields');

    const filters: Array<[string, string[]]> = [
      ['cluster=us-1', ['files']],
      ['app=nextcloud', ['nextcloud', 'files']],
      ['status=Progressing', ['gitea']],
      [`owner=${encodeURIComponent(alice)}`, ['nextcloud', 'files']],
      ['namespace=team-b', ['gitea']],
      ['q=GIT', ['gitea']],
      ['q=team-c', ['files']],
      ['cluster=eu-1&app=nextcloud&status=Ready', ['nextcloud']],
      ['cluster=nowhere', []],
    ];
    for (const [query, names] of filters) {
      const res = await get(`/api/fleet/instances?${query}`);
      expect({ query, names: res.body.items.map((i: InstanceSummary) => i.name), total: res.body.totalCount }).toEqual({
        query,
        names,
        total: names.length,
      });
    }
  });

  it('pages through instances with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await get(`/api/fleet/instances?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.totalCount).toBe(3);
      seen.push(...res.body.items.map((i: InstanceSummary) => i.name));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(['nextcloud', 'gitea', 'files']);
  });

  it('answers a page again with its ETag and gzip, 304 when the caller has it, and shows a change at once', async () => {
    const path = '/api/fleet/instances'; // over 1 KB: worth compressing
    const first = await request(backend.server).get(path).set(as(admin)).set('Accept-Encoding', 'gzip');
    expect(first.status).toBe(200);
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.headers.vary).toMatch(/Accept-Encoding/);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.body.items.map((i: InstanceSummary) => i.name)).toEqual(['nextcloud', 'gitea', 'files']);

    const plain = await request(backend.server).get(path).set(as(admin)).set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.etag).toBe(etag);
    expect(plain.body).toEqual(first.body);

    const unchanged = await request(backend.server).get(path).set(as(admin)).set('If-None-Match', etag);
    expect(unchanged.status).toBe(304);
    expect(unchanged.text).toBe('');
    // the other cluster's page is unaffected by what follows
    const usPage = await get('/api/fleet/instances?cluster=us-1');

    await createInstance(eu, { namespace: 'team-b', name: 'wiki', app: 'gitea', version: '10.6.0' });
    try {
      const changed = await eventually(async () => {
        const res = await request(backend.server).get(path).set(as(admin)).set('If-None-Match', etag);
        expect(res.status).toBe(200);
        return res;
      });
      expect(changed.body.items.map((i: InstanceSummary) => i.name)).toEqual(['nextcloud', 'gitea', 'wiki', 'files']);
      expect(changed.body.totalCount).toBe(4);
      expect(changed.headers.etag).not.toBe(etag);
      const usAgain = await request(backend.server).get('/api/fleet/instances?cluster=us-1').set(as(admin)).set('If-None-Match', usPage.headers.etag);
      expect(usAgain.status).toBe(304);
    } finally {
      await eu.api.delete(
        { group: 'apps.vworkspace.io', version: 'v1alpha1', resource: 'applicationinstances' },
        'wiki',
        { namespace: 'team-b' },
      );
    }
    await eventually(async () => expect((await get(path)).body.items.map((i: InstanceSummary) => i.name)).toEqual(['nextcloud', 'gitea', 'files']));
  });

  it('shows one instance in full, and 404 for an unknown one', async () => {
    const res = await get('/api/fleet/instances/eu-1/team-a/nextcloud');
    expect(res.status).toBe(200);
    expect(res.body.summary.name).toBe('nextcloud');
    expect(res.body.spec.chart.version).toBe('6.2.0');
    expect(res.body.conditions.map((c: { type: string }) => c.type)).toEqual(['Ready', 'Reconciling', 'Stalled']);
    expect(res.body.annotations['backstage.io/owner']).toBe(alice);
    expect(res.body.operations).toEqual(expect.any(Array));

    const missing = await get('/api/fleet/instances/eu-1/team-a/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('team-a/nothing');
  });

  it('finds the instance behind a catalog entity', async () => {
    const ref = instanceEntityRef({ cluster: 'us-1', namespace: 'team-c', name: 'files' });
    const res = await get(`/api/fleet/entity?entityRef=${encodeURIComponent(ref)}`);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual(expect.objectContaining({ cluster: 'us-1', name: 'files', entityRef: ref }));

    const other = await get(`/api/fleet/entity?entityRef=${encodeURIComponent('component:default/not-an-instance')}`);
    expect(other.status).toBe(404);
    const wrongKind = await get(`/api/fleet/entity?entityRef=${encodeURIComponent('system:default/eu-1--team-a--nextcloud')}`);
    expect(wrongKind.status).toBe(404);
  });

  it('rolls the fleet up by status, cluster and app', async () => {
    const res = await get('/api/fleet/summary');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total: 3,
      byStatus: { Ready: 2, Progressing: 1 },
      byCluster: { 'eu-1': { Ready: 1, Progressing: 1 }, 'us-1': { Ready: 1 } },
      byApp: { nextcloud: { Ready: 2 }, gitea: { Progressing: 1 } },
    });
  });

  it('serves the app catalog', async () => {
    const res = await get('/api/fleet/apps');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((a: { id: string }) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['nextcloud', 'gitea']));
    const nextcloud = res.body.items.find((a: { id: string }) => a.id === 'nextcloud');
    expect(nextcloud.operations.map((o: { type: string }) => o.type)).toContain('Backup');
  });

  it('creates an Operation for the caller, in the target cluster, with the control plane as field manager', async () => {
    auditor.createEvent.mockClear();
    const res = await post('/api/fleet/operations', {
      cluster: 'eu-1',
      namespace: 'team-a',
      instance: 'nextcloud',
      type: 'Backup',
      parameters: { ttl: '24h' },
      reason: 'before the upgrade',
    });
    expect(res.status).toBe(201);
    const op = res.body as OperationSummary;
    expect(op).toEqual(
      expect.objectContaining({ cluster: 'eu-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup', engine: 'velero', requestedBy: admin, stale: false }),
    );
    const live = eu.api.get(operationGvr, op.name, { namespace: 'team-a' });
    expect(live.spec).toEqual(
      expect.objectContaining({
        type: 'Backup',
        engine: 'velero',
        target: { applicationInstance: 'nextcloud' },
        // the template's defaults fill in what the caller left out
        parameters: { ttl: '24h', snapshotVolumes: true },
        requestedBy: admin,
        reason: 'before the upgrade',
        timeoutSeconds: 3600,
      }),
    );
    expect((live.metadata.managedFields as Array<{ manager: string }>).map(f => f.manager)).toEqual(['vworkspace-control-plane']);
    expect(auditor.createEvent).toHaveBeenCalledWith(expect.objectContaining({ eventId: 'operation-create' }));

    await eventually(async () => {
      const list = await get('/api/fleet/operations?cluster=eu-1&instance=nextcloud&namespace=team-a');
      expect(list.body.items.map((o: OperationSummary) => o.name)).toContain(op.name);
    });
    const detail = await get('/api/fleet/instances/eu-1/team-a/nextcloud');
    expect(detail.body.operations.map((o: OperationSummary) => o.name)).toContain(op.name);
  });

  it('makes one Operation for a request retried with the same idempotency key', async () => {
    const body = { cluster: 'us-1', namespace: 'team-c', instance: 'files', type: 'Backup', idempotencyKey: 'nightly-2026-01-02' };
    const first = await post('/api/fleet/operations', body);
    expect(first.status).toBe(201);
    const again = await post('/api/fleet/operations', body);
    expect(again.status).toBe(200);
    expect(again.body.name).toBe(first.body.name);
    // concurrent retries too
    const racing = await Promise.all([1, 2, 3].map(() => post('/api/fleet/operations', body)));
    expect(racing.map(r => r.status)).toEqual([200, 200, 200]);
    const inCluster = us.api
      .list(operationGvr, { namespace: 'team-c' })
      .items.filter(o => (o.metadata.annotations ?? {})['ops.vworkspace.io/idempotency-key'] === 'nightly-2026-01-02');
    expect(inCluster).toHaveLength(1);

    const reused = await post('/api/fleet/operations', { ...body, parameters: { ttl: '1h' } });
    expect(reused.status).toBe(409);
    expect(reused.body.error.message).toContain('idempotencyKey');
  });

  describe('permissions', () => {
    it('lets an owner act on their own instance (conditional decision, resolved on the entity)', async () => {
      authorizeCalls.length = 0;
      const res = await post('/api/fleet/operations', { cluster: 'eu-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup' }, alice);
      expect(res.status).toBe(201);
      expect(res.body.requestedBy).toBe(alice);
      expect(authorizeCalls).toEqual([
        { permission: 'fleet.operation.create', resourceRef: 'component:default/eu-1--team-a--nextcloud', user: alice },
      ]);
    });

    it('denies an owner on an instance they do not own, and creates nothing', async () => {
      const before = eu.api.list(operationGvr, { namespace: 'team-b' }).items.length;
      const res = await post('/api/fleet/operations', { cluster: 'eu-1', namespace: 'team-b', instance: 'gitea', type: 'Backup' }, alice);
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
      expect(eu.api.list(operationGvr, { namespace: 'team-b' }).items.length).toBe(before);
    });

    it('denies someone who owns nothing, and audits the refusal', async () => {
      auditor.createEvent.mockClear();
      const res = await post('/api/fleet/operations', { cluster: 'us-1', namespace: 'team-c', instance: 'files', type: 'Backup' }, mallory);
      expect(res.status).toBe(403);
      expect(auditor.createEvent).toHaveBeenCalledTimes(1);
      const event = await auditor.createEvent.mock.results[0].value;
      expect(event.fail).toHaveBeenCalled();
    });

    it('answers 503 without details when the permission check itself fails', async () => {
      const res = await post('/api/fleet/operations', { cluster: 'eu-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup' }, broken);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/permission check fleet\.operation\.create .* could not be made/);
      expect(res.text).not.toContain('stack of the permission backend');
    });

    it('checks the cancel permission on the operation\'s instance', async () => {
      const created = await post('/api/fleet/operations', { cluster: 'eu-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup' }, alice);
      expect(created.status).toBe(201);
      const path = `/api/fleet/operations/eu-1/team-a/${created.body.name}/cancel`;
      const denied = await post(path, {}, mallory);
      expect(denied.status).toBe(403);
      const allowed = await post(path, {}, alice);
      expect(allowed.status).toBe(200);
      expect(eu.api.get(operationGvr, created.body.name, { namespace: 'team-a' }).spec).toEqual(expect.objectContaining({ cancel: true }));
    });
  });

  it('cancels an Operation, and refuses to cancel one that ended', async () => {
    const created = await post('/api/fleet/operations', { cluster: 'us-1', namespace: 'team-c', instance: 'files', type: 'Backup' });
    const name = created.body.name as string;
    auditor.createEvent.mockClear();
    const res = await post(`/api/fleet/operations/us-1/team-c/${name}/cancel`, {});
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(name);
    expect(us.api.get(operationGvr, name, { namespace: 'team-c' }).spec).toEqual(expect.objectContaining({ cancel: true }));
    expect(auditor.createEvent).toHaveBeenCalledWith(expect.objectContaining({ eventId: 'operation-cancel' }));

    const done = await post('/api/fleet/operations', { cluster: 'us-1', namespace: 'team-c', instance: 'files', type: 'Backup' });
    const live = us.api.get(operationGvr, done.body.name, { namespace: 'team-c' });
    await us.api.updateStatus(operationGvr, { ...live, status: { phase: 'Succeeded' } });
    await eventually(async () => {
      const list = await get(`/api/fleet/operations?cluster=us-1&phase=Succeeded`);
      expect(list.body.items.map((o: OperationSummary) => o.name)).toContain(done.body.name);
    });
    const late = await post(`/api/fleet/operations/us-1/team-c/${done.body.name}/cancel`, {});
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('Succeeded');

    const unknown = await post('/api/fleet/operations/us-1/team-c/no-such-operation/cancel', {});
    expect(unknown.status).toBe(404);
  });

  it('answers 409 when a precondition fails or the instance is busy', async () => {
    const notReady = await post('/api/fleet/operations', {
      cluster: 'eu-1', namespace: 'team-b', instance: 'gitea', type: 'Upgrade', parameters: { version: '11.0.0' },
    });
    expect(notReady.status).toBe(409);
    expect(notReady.body.error.message).toMatch(/must be Ready/);

    const noBackup = await post('/api/fleet/operations', { cluster: 'eu-1', namespace: 'team-a', instance: 'nextcloud', type: 'Restore' });
    expect(noBackup.status).toBe(409);
    expect(noBackup.body.error.message).toMatch(/no successful backup/);

    const upgrade = await post('/api/fleet/operations', {
      cluster: 'us-1', namespace: 'team-c', instance: 'files', type: 'Upgrade', parameters: { version: '6.4.0' },
    });
    expect(upgrade.status).toBe(201);
    await eventually(async () => {
      const list = await get('/api/fleet/operations?cluster=us-1&type=Upgrade');
      expect(list.body.totalCount).toBe(1);
    });
    const second = await post('/api/fleet/operations', {
      cluster: 'us-1', namespace: 'team-c', instance: 'files', type: 'Restore',
    });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(`busy: Upgrade Operation ${upgrade.body.name}`);
  });

  it('lists operations newest first, filtered and paged', async () => {
    const all = await get('/api/fleet/operations?limit=1000');
    expect(all.status).toBe(200);
    const created = all.body.items.map((o: OperationSummary) => o.createdAt ?? '');
    expect([...created].sort().reverse()).toEqual(created);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await get(`/api/fleet/operations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((o: OperationSummary) => `${o.cluster}/${o.name}`));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((o: OperationSummary) => `${o.cluster}/${o.name}`));
    const backups = await get('/api/fleet/operations?type=Backup&cluster=eu-1');
    expect(backups.body.items.every((o: OperationSummary) => o.type === 'Backup' && o.cluster === 'eu-1')).toBe(true);
  });

  describe('malformed requests', () => {
    const valid = { cluster: 'eu-1', namespace: 'team-a', instance: 'nextcloud', type: 'Backup' };
    const bodies: Array<[string, unknown, RegExp]> = [
      ['missing cluster', { ...valid, cluster: undefined }, /cluster/],
      ['cluster not a string', { ...valid, cluster: 42 }, /cluster/],
      ['cluster with capitals', { ...valid, cluster: 'EU-1' }, /cluster.*DNS-1123/],
      ['namespace missing', { ...valid, namespace: undefined }, /namespace/],
      ['namespace with underscore', { ...valid, namespace: 'team_a' }, /namespace/],
      ['instance empty', { ...valid, instance: '' }, /instance/],
      ['instance too long', { ...valid, instance: 'x'.repeat(300) }, /instance/],
      ['unknown type', { ...valid, type: 'Explode' }, /type/],
      ['type lower case', { ...valid, type: 'backup' }, /type/],
      ['unknown engine', { ...valid, engine: 'magic' }, /engine/],
      ['engine the app does not use', { ...valid, engine: 'job' }, /engine: app nextcloud runs Backup with velero/],
      ['parameters not an object', { ...valid, parameters: 'ttl=1h' }, /parameters/],
      ['parameters an array', { ...valid, parameters: [1, 2] }, /parameters/],
      ['unknown parameter', { ...valid, parameters: { colour: 'red' } }, /parameters\.colour: unknown parameter/],
      ['parameter of the wrong type', { ...valid, parameters: { snapshotVolumes: 'yes' } }, /parameters\.snapshotVolumes: must be boolean/],
      ['parameter failing its pattern', { ...valid, parameters: { ttl: 'a week' } }, /parameters\.ttl/],
      ['upgrade without its required version', { ...valid, type: 'Upgrade' }, /parameters\.version: is required/],
      ['upgrade to a version not offered', { ...valid, type: 'Upgrade', parameters: { version: '9.9.9' } }, /parameters\.version: must be one of/],
      ['type the app does not offer', { ...valid, type: 'Runbook' }, /type: app nextcloud offers no Runbook/],
      ['reason not a string', { ...valid, reason: ['why'] }, /reason/],
      ['reason too long', { ...valid, reason: 'x'.repeat(2000) }, /reason/],
      ['timeout negative', { ...valid, timeoutSeconds: -5 }, /timeoutSeconds/],
      ['timeout not whole', { ...valid, timeoutSeconds: 1.5 }, /timeoutSeconds/],
      ['timeout beyond a week', { ...valid, timeoutSeconds: 9_999_999 }, /timeoutSeconds/],
      ['idempotency key with spaces', { ...valid, idempotencyKey: 'two words' }, /idempotencyKey/],
      ['idempotency key too long', { ...valid, idempotencyKey: 'k'.repeat(200) }, /idempotencyKey/],
      ['unknown field', { ...valid, priority: 'high' }, /priority: unknown field/],
      ['a list instead of an object', [valid], /body/i],
      ['null', null, /body|JSON|expected object/i],
      ['a bare string', 'backup please', /body|JSON/i],
    ];

    it.each(bodies)('POST /operations with %s → 400 naming the problem', async (_name, body, message) => {
      const res = await request(backend.server)
        .post('/api/fleet/operations')
        .set(as(admin))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));
      responses.push(res.text);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(res.text).not.toMatch(/\n\s+at /);
    });

    const raw: Array<[string, string, string, RegExp]> = [
      ['invalid JSON', 'application/json', '{"cluster": "eu-1",', /not valid JSON/],
      ['form encoding', 'application/x-www-form-urlencoded', 'cluster=eu-1', /Content-Type: application\/json/],
      ['plain text', 'text/plain', 'hello', /Content-Type: application\/json/],
    ];
    it.each(raw)('POST /operations with %s → 400', async (_name, type, text, message) => {
      const res = await request(backend.server).post('/api/fleet/operations').set(as(admin)).set('Content-Type', type).send(text);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    });

    it('POST /operations with a huge body → 413', async () => {
      const res = await post('/api/fleet/operations', { ...valid, reason: 'x'.repeat(200_000) });
      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(/larger than/);
    });

    const queries: Array<[string, RegExp]> = [
      ['/instances?limit=0', /limit/],
      ['/instances?limit=-1', /limit/],
      ['/instances?limit=5000', /limit/],
      ['/instances?limit=ten', /limit/],
      ['/instances?limit=1.5', /limit/],
      ['/instances?status=Green', /status/],
      ['/instances?status=ready', /status/],
      ['/instances?cluster=', /cluster/],
      ['/instances?app=', /app/],
      ['/instances?owner=', /owner/],
      ['/instances?namespace=', /namespace/],
      ['/instances?cluster=a&cluster=b', /cluster/],
      ['/instances?colour=red', /colour: unknown field/],
      [`/instances?q=${'x'.repeat(300)}`, /q/],
      ['/instances?cursor=not-a-cursor', /cursor/],
      [`/instances?cursor=${Buffer.from('{"l":"operations","p":["x"]}').toString('base64url')}`, /cursor: is not a cursor of the instances list/],
      ['/operations?phase=Done', /phase/],
      ['/operations?type=Nap', /type/],
      ['/operations?limit=0', /limit/],
      ['/operations?instance=', /instance/],
      ['/operations?cursor=%7B%7D', /cursor/],
      ['/operations?sort=asc', /sort: unknown field/],
      ['/entity', /entityRef/],
      ['/entity?entityRef=', /entityRef/],
      ['/entity?entityRef=a:b:c/d/e', /entityRef/],
      ['/entity?entityRef=x&entityRef=y', /entityRef/],
      ['/instances/EU-1/team-a/nextcloud', /cluster/],
      ['/instances/eu-1/team_a/nextcloud', /namespace/],
      ['/events?after=yesterday', /after/],
      ['/events?after=-3', /after/],
    ];
    it.each(queries)('GET %s → 400 naming the problem', async (path, message) => {
      const res = await get(`/api/fleet${path}`);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
    });

    it('refuses a malformed Last-Event-ID header', async () => {
      const res = await request(backend.server).get('/api/fleet/events').set(as(admin)).set('Last-Event-ID', 'abc');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/Last-Event-ID/);
    });

    it('answers 404 for an unknown cluster or instance', async () => {
      const cluster = await post('/api/fleet/operations', { ...valid, cluster: 'mars-1' });
      expect(cluster.status).toBe(404);
      expect(cluster.body.error.message).toContain('mars-1');
      const instance = await post('/api/fleet/operations', { ...valid, instance: 'nothing' });
      expect(instance.status).toBe(404);
      expect(instance.body.error.message).toContain('team-a/nothing');
    });
  });

  describe('events', () => {
    it('streams changes with ids, heartbeats, and resumes from Last-Event-ID', async () => {
      const stream = await SseClient.open(`${baseUrl}/api/fleet/events`, as(admin));
      try {
        expect(stream.status).toBe(200);
        expect(stream.contentType).toMatch(/^text\/event-stream/);
        await createInstance(us, { namespace: 'team-c', name: 'wiki', app: 'gitea', version: '10.6.0', ready: true });
        const event = await eventually(() => {
          const found = stream.events().find(e => e.kind === 'instance' && (e.instance as InstanceSummary).name === 'wiki');
          expect(found).toBeDefined();
          return found!;
        });
        expect(event.action).toBe('upsert');
        await eventually(() => expect(stream.messages.some(m => m.comment === 'heartbeat')).toBe(true));

        // a follower that lost the connection resumes after its last id
        await us.api.delete(
          { group: 'apps.vworkspace.io', version: 'v1alpha1', resource: 'applicationinstances' },
          'wiki',
          { namespace: 'team-c' },
        );
        await eventually(() => expect(stream.events().some(e => e.action === 'delete')).toBe(true));
        const resumed = await SseClient.open(`${baseUrl}/api/fleet/events`, { ...as(admin), 'Last-Event-ID': String(event.id) });
        try {
          await eventually(() => {
            const replayed = resumed.events();
            expect(replayed.length).toBeGreaterThan(0);
            expect(replayed[0].id).toBeGreaterThan(event.id);
            expect(replayed.some(e => e.action === 'delete' && (e.instance as InstanceSummary).name === 'wiki')).toBe(true);
          });
        } finally {
          resumed.close();
        }
      } finally {
        stream.close();
      }
    });

    it('accepts the Backstage user cookie, as a browser EventSource sends it', async () => {
      const stream = await SseClient.open(`${baseUrl}/api/fleet/events`, {
        Cookie: `backstage-auth=${mockCredentials.limitedUser.token(alice)}`,
      });
      try {
        expect(stream.status).toBe(200);
      } finally {
        stream.close();
      }
      // the cookie is for the stream only
      const res = await request(backend.server)
        .get('/api/fleet/instances')
        .set('Cookie', `backstage-auth=${mockCredentials.limitedUser.token(alice)}`);
      expect(res.status).toBe(401);
    });

    it('tells a follower with an unknown id to resync', async () => {
      for (const after of ['1', '999999999999999999'.slice(0, 16)]) {
        const stream = await SseClient.open(`${baseUrl}/api/fleet/events?after=${after}`, as(admin));
        try {
          await eventually(() => expect(stream.messages.some(m => m.event === 'resync' && m.data === '{}')).toBe(true));
        } finally {
          stream.close();
        }
      }
    });
  });

  describe('a cluster going away and coming back', () => {
    it('keeps its data marked stale, answers 503 for writes, then is fresh again', async () => {
      const stream = await SseClient.open(`${baseUrl}/api/fleet/events`, as(admin));
      try {
        await us.goDown();
        const cluster = await eventually(async () => {
          const res = await get('/api/fleet/clusters');
          const found = res.body.items.find((c: { name: string }) => c.name === 'us-1');
          expect(found.connection.state).toBe('unreachable');
          return found;
        });
        expect(cluster.connection.error).toEqual(expect.any(String));
        expect(cluster.connection.lastSeen).toEqual(expect.any(String));

        const instances = await get('/api/fleet/instances?cluster=us-1');
        expect(instances.body.items.map((i: InstanceSummary) => [i.name, i.stale])).toEqual([['files', true]]);
        expect((await get('/api/fleet/instances/us-1/team-c/files')).body.summary.stale).toBe(true);
        const eu1 = await get('/api/fleet/instances?cluster=eu-1');
        expect(eu1.body.items.every((i: InstanceSummary) => !i.stale)).toBe(true);
        await eventually(() =>
          expect(stream.events().some(e => e.kind === 'instance' && (e.instance as InstanceSummary).name === 'files' && (e.instance as InstanceSummary).stale)).toBe(true),
        );

        const write = await post('/api/fleet/operations', { cluster: 'us-1', namespace: 'team-c', instance: 'files', type: 'Backup' });
        expect(write.status).toBe(503);
        expect(write.body.error.message).toMatch(/^Cluster us-1 is unreachable: .+/);

        await us.comeBack();
        await eventually(async () => {
          const res = await get('/api/fleet/clusters');
          expect(res.body.items.find((c: { name: string }) => c.name === 'us-1').connection.state).toBe('connected');
        });
        const fresh = await get('/api/fleet/instances?cluster=us-1');
        expect(fresh.body.items.map((i: InstanceSummary) => [i.name, i.stale])).toEqual([['files', false]]);
        // and changes flow again
        await createInstance(us, { namespace: 'team-c', name: 'after', app: 'gitea', version: '10.6.0' });
        await eventually(async () => expect((await get('/api/fleet/instances?cluster=us-1')).body.totalCount).toBe(2));
      } finally {
        stream.close();
      }
    }, 60_000);
  });

  it('never shows a cluster token in any answer or log line', async () => {
    expect(responses.length).toBeGreaterThan(50);
    for (const token of [eu.adminToken, us.adminToken]) {
      for (const text of responses) expect(text).not.toContain(token);
      for (const line of logs.lines) expect(line).not.toContain(token);
    }
    expect(logs.lines.some(l => l.includes('us-1 is unreachable'))).toBe(true);
  });
});
