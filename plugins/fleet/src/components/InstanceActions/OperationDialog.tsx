import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import type { ReactNode } from 'react';

/**
 * The frame every operation dialog shares: what will happen, an optional reason recorded on
 * the Operation, the backend's error when it refuses, and a confirm button that says exactly
 * what it does.
 */
export function OperationDialog(props: {
  title: string;
  children: ReactNode;
  reason: string;
  onReasonChange: (reason: string) => void;
  error?: Error;
  submitting: boolean;
  confirmLabel: string;
  confirmDisabled?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="fleet-operation-dialog-title"
    >
      <DialogTitle id="fleet-operation-dialog-title">{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        <TextField
          id="fleet-operation-reason"
          label="Reason (recorded on the operation)"
          value={props.reason}
          onChange={event => props.onReasonChange(event.target.value)}
          fullWidth
          margin="normal"
          inputProps={{ maxLength: 1024 }}
        />
        {props.error && (
          <Alert severity="error" role="alert">
            {props.error.message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={props.onConfirm}
          disabled={props.submitting || props.confirmDisabled}
          startIcon={
            props.submitting ? <CircularProgress size={16} /> : undefined
          }
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
