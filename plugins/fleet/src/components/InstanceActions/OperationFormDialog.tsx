import { useRef, useState } from 'react';
import Typography from '@material-ui/core/Typography';
import Form from '@rjsf/material-ui';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { OperationDialog } from './OperationDialog';
import {
  useOperationDialog,
  type OperationDialogProps,
} from './useOperationDialog';

// The dialog has its own confirm button; the form's is not rendered.
const uiSchema: UiSchema = { 'ui:submitButtonOptions': { norender: true } };

/**
 * Any other operation the app's template allows, with a form generated from its parameter
 * JSON Schema (validated in the browser; the backend validates again and names the field).
 */
export function OperationFormDialog(props: OperationDialogProps) {
  const { action } = props;
  const { summary } = props.detail;
  const schema = action.template.parameters as RJSFSchema;
  // `submit()` is the one method used: it validates, then calls onSubmit with the data.
  const formRef = useRef<{ submit: () => void }>(null);
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const { submit, frame } = useOperationDialog(props);

  return (
    <OperationDialog
      {...frame}
      title={`${action.title} on ${summary.namespace}/${summary.name}`}
      confirmLabel={action.title}
      onConfirm={() => formRef.current?.submit()}
    >
      {action.description && (
        <Typography variant="body2" gutterBottom>
          {action.description}
        </Typography>
      )}
      <Form
        ref={
          formRef as never /* rjsf's Form class instance; only submit() is used */
        }
        schema={schema}
        uiSchema={uiSchema}
        validator={validator}
        formData={formData}
        onChange={event => setFormData(event.formData ?? {})}
        onSubmit={event => submit(event.formData ?? {})}
        // Errors are shown next to their fields; without a handler rjsf logs them to the console.
        onError={() => undefined}
        showErrorList={false}
        noHtml5Validate
      />
    </OperationDialog>
  );
}
