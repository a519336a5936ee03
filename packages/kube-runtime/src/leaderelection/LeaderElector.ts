import { isConflict, isAlreadyExists, isNotFound } from '../client/apiErrors';
import { Clock, pause, systemClock } from '../clock/Clock';
import { KubeClient } from '../client/KubeClient';
import { Logger, silentLogger } from '../log/Logger';
import { Metrics } from '../metrics/Metrics';
import { coreKinds, KubeObject } from '../client/types';

/** The fields of a coordination.k8s.io/v1 Lease the election uses. @public */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** @public */
export interface LeaderElectorOptions {
  client: KubeClient;
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** This process' identity; must be unique per replica (e.g. pod name + random suffix). */
  identity: string;
  /** How long a lease is valid without renewal; standbys wait this long before taking over. Default 15 s. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leadership. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Called once this process becomes leader. */
  onStartedLeading?: () => void;
  /** Called once if leadership is lost (renewal failed past the deadline, or another holder took over); not on release. */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes. */
  onNewLeader?: (identity: string) => void;
  metrics?: Metrics;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
}

/** How an election run ended. @public */
export type ElectionEnd = 'released' | 'lost' | 'stopped';

/**
 * Leader election on a Lease, as client-go's leaderelection: acquire when the lease is free or
 * its holder has not renewed for `leaseDuration` (measured on our own clock from when we last
 * saw the record change, so clock skew between nodes does not matter), renew every
 * `retryPeriod`, give up after failing to renew for `renewDeadline`, and release the lease on
 * graceful stop so a standby takes over at once. Writes carry the resourceVersion that was read,
 * so two candidates racing get one success and one 409.
 *
 * @public
 */
export class LeaderElector {
  readonly identity: string;
  private readonly options: LeaderElectorOptions;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private observed?: Lease;
  private observedHolder = '';
  private observedRenew = '';
  private observedAt = 0;
  private leader = false;
  private lastContact = 0;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod');
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = (options.logger ?? silentLogger).child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
    options.metrics?.setLeader(options.name, false);
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** The holder last seen on the lease. */
  get currentLeader(): string {
    return this.observedHolder;
  }

  /**
   * Healthy while the API server answered a lease read or write within the last lease
   * duration: a standby that can see the lease is ready to take over.
   */
  healthy(): boolean {
    return this.clock.now() - this.lastContact <= this.leaseDurationMs + this.retryPeriodMs;
  }

  /** Campaigns until leader, then renews until `signal` aborts (release) or renewal fails (lost). */
  async run(signal: AbortSignal): Promise<ElectionEnd> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) break;
      await pause(this.retryPeriodMs * (1 + 0.2 * this.random()), signal, this.clock);
    }
    if (signal.aborted) return 'stopped';
    this.setLeader(true);
    this.logger.info('became leader');
    this.options.onStartedLeading?.();

    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await pause(this.retryPeriodMs, signal, this.clock);
      if (signal.aborted) break;
      if (await this.tryAcquireOrRenew(signal)) {
        lastRenew = this.clock.now();
        continue;
      }
      if (this.observedHolder && this.observedHolder !== this.identity) {
        this.logger.warn('lease taken by another holder', { holder: this.observedHolder });
        return this.lose();
      }
      if (this.clock.now() - lastRenew >= this.renewDeadlineMs) {
        this.logger.error('failed to renew lease within the renew deadline');
        return this.lose();
      }
    }
    await this.release();
    return 'released';
  }

  private lose(): ElectionEnd {
    this.setLeader(false);
    this.options.onStoppedLeading?.();
    return 'lost';
  }

  private setLeader(leader: boolean): void {
    this.leader = leader;
    this.options.metrics?.setLeader(this.options.name, leader);
  }

  private kindPath() {
    return coreKinds.Lease;
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, namespace, name } = this.options;
    const now = this.clock.now();
    const nowTime = microTime(now);
    const durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    let current: Lease;
    try {
      current = await client.get<Lease>(this.kindPath(), name, namespace, { signal });
      this.lastContact = this.clock.now();
    } catch (err) {
      if (signal.aborted) return false;
      if (!isNotFound(err)) {
        this.logger.warn('cannot read lease', { error: err });
        return false;
      }
      this.lastContact = this.clock.now();
      try {
        const created = await client.create<Lease>(this.kindPath(), {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: { holderIdentity: this.identity, leaseDurationSeconds: durationSeconds, acquireTime: nowTime, renewTime: nowTime, leaseTransitions: 0 },
        });
        this.observe(created);
        return true;
      } catch (createErr) {
        if (!isAlreadyExists(createErr)) this.logger.warn('cannot create lease', { error: createErr });
        return false;
      }
    }

    this.observe(current);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== this.identity;
    // a released lease (client-go sets duration 1 s) or one not renewed for its duration is free
    const duration = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (heldByOther && this.observedAt + duration > now) return false;

    const takingOver = holder !== this.identity;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: nowTime,
        acquireTime: takingOver ? nowTime : spec.acquireTime ?? nowTime,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
      },
    };
    try {
      const updated = await client.update<Lease>(this.kindPath(), next, { signal });
      this.lastContact = this.clock.now();
      this.observe(updated);
      if (takingOver) this.logger.info('acquired lease', { previousHolder: holder || undefined });
      return true;
    } catch (err) {
      if (!signal.aborted && !isConflict(err)) this.logger.warn('cannot update lease', { error: err });
      return false;
    }
  }

  private observe(lease: Lease): void {
    const holder = lease.spec?.holderIdentity ?? '';
    const renew = lease.spec?.renewTime ?? '';
    if (holder !== this.observedHolder || renew !== this.observedRenew || !this.observed) {
      this.observedAt = this.clock.now();
      if (holder !== this.observedHolder && holder) this.options.onNewLeader?.(holder);
    }
    this.observed = lease;
    this.observedHolder = holder;
    this.observedRenew = renew;
  }

  /** Gives the lease up so a standby can take it without waiting for it to expire. */
  private async release(): Promise<void> {
    this.setLeader(false);
    const lease = this.observed;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    try {
      await this.options.client.update<Lease>(this.kindPath(), {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.clock.now()) },
      });
      this.logger.info('released lease');
    } catch (err) {
      this.logger.warn('cannot release lease; standbys will wait for it to expire', { error: err });
    }
  }
}

/** RFC 3339 with microseconds, the MicroTime format of Lease times. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}
