import { memo } from 'react';
import { Link } from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import type { InstanceSummary } from '@vworkspace/backstage-plugin-fleet-common';
import { FixedSizeList, type ListChildComponentProps } from 'react-window';
import { useEntityLink } from '../../hooks/useEntityLink';
import { InstanceStatusLabel } from '../StatusLabel';

/** Height of one row in pixels; fixed so the list can place any row without measuring. */
export const instanceRowHeight = 40;

const columns = [
  'Instance',
  'Cluster',
  'Namespace',
  'App',
  'Status',
  'Why',
  'Chart',
  'Owner',
];
const gridTemplateColumns = '2fr 1.2fr 1.2fr 1fr 1.2fr 3fr 1.2fr 1.2fr';

const useStyles = makeStyles(theme => ({
  row: {
    display: 'grid',
    gridTemplateColumns,
    alignItems: 'center',
    columnGap: theme.spacing(1),
    padding: theme.spacing(0, 1),
    borderBottom: `1px solid ${theme.palette.divider}`,
    boxSizing: 'border-box',
    fontSize: theme.typography.body2.fontSize,
  },
  header: {
    height: instanceRowHeight,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
}));

interface RowData {
  items: InstanceSummary[];
  entityLink: (entityRef: string) => string | undefined;
  classes: ReturnType<typeof useStyles>;
}

function chartText(chart: InstanceSummary['chart']): string {
  if (!chart.deployedVersion || chart.deployedVersion === chart.version)
    return chart.version;
  return `${chart.deployedVersion} → ${chart.version}`;
}

/** One row; memoised and defined once so scrolling re-renders only rows that move in. */
const InstanceRow = memo(function InstanceRowView(
  props: ListChildComponentProps<RowData>,
) {
  const { items, entityLink, classes } = props.data;
  const item = items[props.index];
  const why = [item.reason, item.message].filter(Boolean).join(': ');
  const link = entityLink(item.entityRef);
  return (
    <div
      role="row"
      aria-rowindex={props.index + 2}
      style={props.style}
      className={classes.row}
    >
      <div role="cell" className={classes.cell}>
        {link ? <Link to={link}>{item.name}</Link> : item.name}
      </div>
      <div role="cell" className={classes.cell}>
        {item.cluster}
      </div>
      <div role="cell" className={classes.cell}>
        {item.namespace}
      </div>
      <div role="cell" className={classes.cell}>
        {item.app}
      </div>
      <div role="cell" className={classes.cell}>
        <InstanceStatusLabel status={item.status} stale={item.stale} />
      </div>
      <div role="cell" className={classes.cell} title={why}>
        {why}
      </div>
      <div role="cell" className={classes.cell}>
        {chartText(item.chart)}
      </div>
      <div role="cell" className={classes.cell}>
        {item.owner ?? ''}
      </div>
    </div>
  );
});

/**
 * Instances as a virtualized table: only the rows in view (plus a few) are in the DOM, so ten
 * thousand instances scroll as smoothly as ten.
 * @public
 */
export function InstancesTable(props: {
  items: InstanceSummary[];
  /** Visible height of the rows, in pixels (default 600). */
  height?: number;
  emptyText?: string;
}) {
  const classes = useStyles();
  const entityLink = useEntityLink();
  const { items } = props;
  if (items.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {props.emptyText ?? 'No instance.'}
      </Typography>
    );
  }
  const height = Math.min(
    props.height ?? 600,
    items.length * instanceRowHeight,
  );
  const data: RowData = {
    items,
    entityLink,
    classes,
  };
  return (
    <div role="table" aria-label="Instances" aria-rowcount={items.length + 1}>
      <div role="rowgroup">
        <div
          role="row"
          aria-rowindex={1}
          className={`${classes.row} ${classes.header}`}
        >
          {columns.map(column => (
            <div role="columnheader" key={column} className={classes.cell}>
              {column}
            </div>
          ))}
        </div>
      </div>
      <FixedSizeList
        height={height}
        width="100%"
        itemCount={items.length}
        itemSize={instanceRowHeight}
        itemData={data}
        itemKey={(index, rowData) => {
          const item = rowData.items[index];
          return `${item.cluster}/${item.namespace}/${item.name}`;
        }}
        overscanCount={5}
      >
        {InstanceRow}
      </FixedSizeList>
    </div>
  );
}
