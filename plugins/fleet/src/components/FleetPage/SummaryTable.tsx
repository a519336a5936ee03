import Link from '@material-ui/core/Link';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import type { InstanceStatus } from '@vworkspace/backstage-plugin-fleet-common';
import { statusOrder } from '../../hooks/instanceFilters';

// Status words and names stay whole: the theme's tables break words anywhere.
const useStyles = makeStyles({
  table: { '& th, & td': { whiteSpace: 'nowrap', wordBreak: 'normal' } },
});

/**
 * Status counts by one dimension (cluster or app). Every number is a button that filters the
 * instances table to exactly those instances.
 */
export function SummaryTable(props: {
  label: string;
  counts: Record<string, Record<string, number>>;
  onSelect: (key: string, status?: InstanceStatus) => void;
}) {
  const classes = useStyles();
  const keys = Object.keys(props.counts).sort();
  return (
    <Table
      size="small"
      className={classes.table}
      aria-label={`Status by ${props.label}`}
    >
      <TableHead>
        <TableRow>
          <TableCell>{props.label}</TableCell>
          {statusOrder.map(status => (
            <TableCell key={status} align="right">
              {status}
            </TableCell>
          ))}
          <TableCell align="right">Total</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {keys.map(key => {
          const row = props.counts[key];
          const total = Object.values(row).reduce((sum, n) => sum + n, 0);
          return (
            <TableRow key={key}>
              <TableCell>{key}</TableCell>
              {statusOrder.map(status => (
                <TableCell key={status} align="right">
                  {row[status] ? (
                    <Link
                      component="button"
                      variant="body2"
                      aria-label={`${row[status]} ${status} in ${key}`}
                      onClick={() => props.onSelect(key, status)}
                    >
                      {row[status]}
                    </Link>
                  ) : (
                    '·'
                  )}
                </TableCell>
              ))}
              <TableCell align="right">
                <Link
                  component="button"
                  variant="body2"
                  aria-label={`${total} in ${key}`}
                  onClick={() => props.onSelect(key)}
                >
                  {total}
                </Link>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
