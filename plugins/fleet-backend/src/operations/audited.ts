import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEvent,
} from '@backstage/backend-plugin-api';

/** What a successful audit event may add about the result. */
type SuccessMeta = NonNullable<Parameters<AuditorServiceEvent['success']>[0]>['meta'];

/**
 * Runs `action` inside an audit event: the event records success (with `successMeta` of the
 * result) or the error, which is thrown on. Every mutation, allowed or not, leaves a trail.
 */
export async function audited<T>(
  auditor: AuditorService,
  event: AuditorServiceCreateEventOptions,
  action: () => Promise<T>,
  successMeta: (result: T) => SuccessMeta,
): Promise<T> {
  const audit = await auditor.createEvent(event);
  try {
    const result = await action();
    await audit.success({ meta: successMeta(result) });
    return result;
  } catch (error) {
    await audit.fail({ error: error as Error });
    throw error;
  }
}
