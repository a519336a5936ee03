import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { OperationSummary } from '@vworkspace/backstage-plugin-fleet-common';
import type { ReactNode } from 'react';
import { formatAge, operationDuration } from '../../hooks/formatTime';
import { OperationStateLabel } from '../StatusLabel';

/** An operation's result as short `key: value` text (backup names, versions). Pure. @public */
export function formatResult(
  result: Record<string, unknown> | undefined,
): string {
  if (!result) return '';
  return Object.entries(result)
    .filter(
      ([, value]) => value !== undefined && value !== null && value !== '',
    )
    .map(
      ([key, value]) =>
        `${key}: ${
          typeof value === 'object' ? JSON.stringify(value) : String(value)
        }`,
    )
    .join(', ');
}

function engineStatusText(operation: OperationSummary): string {
  const status = operation.engineStatus;
  if (!status) return '';
  return [status.phase, status.reason, status.message]
    .filter(Boolean)
    .join(' · ');
}

function Detail(props: { operation: OperationSummary }) {
  const { operation } = props;
  const lines = [
    operation.delivery?.state === 'failed'
      ? operation.delivery.error
      : undefined,
    operation.admission?.status === 'False'
      ? [operation.admission.reason, operation.admission.message]
          .filter(Boolean)
          .join(': ')
      : undefined,
    operation.message,
  ].filter((line): line is string => Boolean(line));
  return (
    <>
      {lines.map(line => (
        <Typography
          key={line}
          variant="caption"
          component="div"
          color="textSecondary"
        >
          {line}
        </Typography>
      ))}
    </>
  );
}

/**
 * The operations of an instance, newest first: phase (or "Pending delivery" while a pull
 * cluster has not fetched it), who asked, when, how long, result and the engine's own status.
 * @public
 */
export function OperationsTable(props: {
  operations: OperationSummary[];
  now?: number;
  /** Per-row actions (e.g. cancel); the column is shown only when given. */
  renderActions?: (operation: OperationSummary) => ReactNode;
}) {
  const now = props.now ?? Date.now();
  if (props.operations.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No operation has run on this instance yet.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Operations">
      <TableHead>
        <TableRow>
          <TableCell>Operation</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Requested by</TableCell>
          <TableCell>When</TableCell>
          <TableCell>Duration</TableCell>
          <TableCell>Result</TableCell>
          <TableCell>Engine status</TableCell>
          {props.renderActions && <TableCell>Actions</TableCell>}
        </TableRow>
      </TableHead>
      <TableBody>
        {props.operations.map(operation => (
          <TableRow
            key={`${operation.cluster}/${operation.namespace}/${operation.name}`}
          >
            <TableCell>
              <Typography variant="body2">{operation.type}</Typography>
              <Typography variant="caption" color="textSecondary">
                {operation.name}
                {operation.engine ? ` · ${operation.engine}` : ''}
              </Typography>
              {operation.reason && (
                <Typography
                  variant="caption"
                  component="div"
                  color="textSecondary"
                >
                  “{operation.reason}”
                </Typography>
              )}
            </TableCell>
            <TableCell>
              <OperationStateLabel operation={operation} />
              <Detail operation={operation} />
            </TableCell>
            <TableCell>{operation.requestedBy ?? '—'}</TableCell>
            <TableCell title={operation.createdAt}>
              {formatAge(operation.createdAt, now)}
            </TableCell>
            <TableCell>{operationDuration(operation, now)}</TableCell>
            <TableCell>{formatResult(operation.result) || '—'}</TableCell>
            <TableCell>{engineStatusText(operation) || '—'}</TableCell>
            {props.renderActions && (
              <TableCell>{props.renderActions(operation)}</TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
