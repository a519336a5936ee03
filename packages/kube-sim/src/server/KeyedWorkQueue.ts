import { StatusError } from './StatusError';

/**
 * The background work of kube-sim's built-in controllers (garbage collector, token
 * controller): one pending item per key (a newer one replaces it), run one at a time after
 * the write that caused it has returned, as those controllers run asynchronously in kube.
 * An API error drops the item: a newer event brings the work back, or the item retries itself.
 */
export class KeyedWorkQueue {
  private readonly pending = new Map<string, () => Promise<void>>();
  private scheduled = false;
  private running?: Promise<void>;

  /** Whether work is queued or running. */
  get busy(): boolean {
    return this.scheduled || this.running !== undefined || this.pending.size > 0;
  }

  /** Resolves when the current work is done. */
  async settle(): Promise<void> {
    await (this.running ?? new Promise(r => setImmediate(r)));
  }

  enqueue(id: string, work: () => Promise<void>): void {
    this.pending.set(id, work);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const [id, work] = this.pending.entries().next().value as [string, () => Promise<void>];
      this.pending.delete(id);
      try {
        await work();
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
      }
    }
  }
}
