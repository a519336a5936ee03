import { useState } from 'react';
import type {
  InstanceDetail,
  OperationSummary,
} from '@vworkspace/backstage-plugin-fleet-common';
import type { InstanceAction } from '../../hooks/instanceActions';
import { useCreateOperation } from './useCreateOperation';

/** What every operation dialog is opened with. */
export interface OperationDialogProps {
  detail: InstanceDetail;
  action: InstanceAction;
  onClose: () => void;
  onCreated: (operation: OperationSummary) => void;
}

/**
 * The state every operation dialog shares: the reason typed in, and a submit that creates the
 * action's Operation with it and closes the dialog once the backend accepts (a refusal keeps
 * it open, showing the backend's message).
 */
export function useOperationDialog(props: OperationDialogProps) {
  const { action, onClose } = props;
  const [reason, setReason] = useState('');
  const { create, submitting, error } = useCreateOperation(
    props.detail.summary,
    props.onCreated,
  );

  const submit = async (parameters: Record<string, unknown>) => {
    const created = await create({
      type: action.type,
      engine: action.engine,
      parameters,
      reason,
    });
    if (created) onClose();
  };

  return {
    submit,
    /** Spread into `OperationDialog`. */
    frame: {
      reason,
      onReasonChange: setReason,
      error,
      submitting,
      onClose,
    },
  };
}
