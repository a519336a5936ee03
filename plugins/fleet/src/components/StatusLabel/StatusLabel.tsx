import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  ConnectionState,
  InstanceStatus,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { ComponentType, PropsWithChildren } from 'react';

type Indicator = ComponentType<PropsWithChildren<{}>>;

const instanceIndicators: Record<InstanceStatus, Indicator> = {
  Ready: StatusOK,
  Progressing: StatusRunning,
  Failed: StatusError,
  Stalled: StatusError,
  Unknown: StatusPending,
};

/** An instance's status word with its colour. @public */
export function InstanceStatusLabel(props: {
  status: InstanceStatus;
  stale?: boolean;
}) {
  const Indicator = instanceIndicators[props.status];
  return (
    <Indicator>
      {props.status}
      {props.stale ? ' (last known)' : ''}
    </Indicator>
  );
}

const connectionIndicators: Record<ConnectionState, Indicator> = {
  connected: StatusOK,
  degraded: StatusWarning,
  unreachable: StatusError,
  pending: StatusPending,
};

/** A cluster's connection state with its colour. @public */
export function ConnectionStateLabel(props: { state: ConnectionState }) {
  const Indicator = connectionIndicators[props.state];
  return <Indicator>{props.state}</Indicator>;
}

/** What to call an operation's state: its phase, or where it is on its way to the cluster. @public */
export function operationStateText(operation: OperationSummary): string {
  if (operation.delivery?.state === 'failed') return 'Delivery failed';
  if (operation.delivery?.state === 'pending') return 'Pending delivery';
  if (operation.admission?.status === 'False' && operation.phase !== 'Failed') {
    return `Waiting (${operation.admission.reason ?? 'not accepted'})`;
  }
  return operation.phase ?? 'Submitted';
}

/** An operation's state with its colour. @public */
export function OperationStateLabel(props: { operation: OperationSummary }) {
  const { operation } = props;
  const text = operationStateText(operation);
  let Indicator: Indicator = StatusPending;
  if (operation.delivery?.state === 'failed') Indicator = StatusError;
  else if (operation.delivery?.state === 'pending') Indicator = StatusPending;
  else {
    switch (operation.phase) {
      case 'Succeeded':
        Indicator = StatusOK;
        break;
      case 'PartiallySucceeded':
        Indicator = StatusWarning;
        break;
      case 'Failed':
      case 'TimedOut':
        Indicator = StatusError;
        break;
      case 'Cancelled':
        Indicator = StatusAborted;
        break;
      case 'Running':
        Indicator = StatusRunning;
        break;
      default:
        Indicator = StatusPending;
    }
  }
  return <Indicator>{text}</Indicator>;
}
