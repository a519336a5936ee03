import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { Condition } from '@vworkspace/backstage-plugin-fleet-common';
import { formatAge } from '../../hooks/formatTime';

/**
 * Every condition of the instance with its reason, message and how long ago it changed: this
 * is where a user reads why an instance is not Ready.
 * @public
 */
export function ConditionsTable(props: {
  conditions: Condition[];
  generation?: number;
  now?: number;
}) {
  const now = props.now ?? Date.now();
  if (props.conditions.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        The operator has not reported any condition yet.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Conditions">
      <TableHead>
        <TableRow>
          <TableCell>Condition</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Reason</TableCell>
          <TableCell>Message</TableCell>
          <TableCell>Changed</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.conditions.map(condition => {
          const outdated =
            props.generation !== undefined &&
            condition.observedGeneration !== undefined &&
            condition.observedGeneration < props.generation;
          return (
            <TableRow key={condition.type}>
              <TableCell>{condition.type}</TableCell>
              <TableCell>{condition.status}</TableCell>
              <TableCell>{condition.reason}</TableCell>
              <TableCell>
                {condition.message}
                {outdated && (
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    component="div"
                  >
                    observed generation {condition.observedGeneration}, spec is
                    at {props.generation}
                  </Typography>
                )}
              </TableCell>
              <TableCell title={condition.lastTransitionTime}>
                {formatAge(condition.lastTransitionTime, now)}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
