import { mockServices } from '@backstage/backend-test-utils';
import type { ClusterDefinition, ClusterSupplier } from '@vworkspace/backstage-plugin-fleet-node';
import { ClusterRegistry } from './ClusterRegistry';

const pull = (name: string): ClusterDefinition => ({ name, title: name, mode: 'pull', labels: {} });

/** A supplier that reads its clusters when asked and answers when told to, like a slow database. */
class SlowSupplier implements ClusterSupplier {
  readonly id = 'slow';
  readonly stored: ClusterDefinition[] = [];
  private readonly waiting: Array<() => void> = [];
  calls = 0;

  async getClusters(): Promise<ClusterDefinition[]> {
    this.calls++;
    const read = [...this.stored];
    await new Promise<void>(resolve => this.waiting.push(resolve));
    return read;
  }

  answer(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

describe('ClusterRegistry', () => {
  it('sees a cluster stored while a poll was in flight once refresh resolves', async () => {
    const supplier = new SlowSupplier();
    const registry = new ClusterRegistry({ logger: mockServices.logger.mock() });
    registry.addSupplier(supplier);

    const first = registry.refresh();
    // stored after the poll in flight read the table: that poll cannot see it
    supplier.stored.push(pull('edge-1'));
    const second = registry.refresh();
    const third = registry.refresh();
    supplier.answer();
    await first;
    expect(registry.list().map(c => c.name)).toEqual([]);
    await new Promise(resolve => setImmediate(resolve));
    supplier.answer();
    await Promise.all([second, third]);
    expect(registry.list().map(c => c.name)).toEqual(['edge-1']);
    // the callers during one poll share one more poll
    expect(supplier.calls).toBe(2);
  });
});
