import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { ClusterSummary } from '@vworkspace/backstage-plugin-fleet-common';
import { formatAge } from '../../hooks/formatTime';
import { ConnectionStateLabel } from '../StatusLabel';

/**
 * A cluster's connectivity in one line: mode, state, since when, when last heard from, and the
 * last error (the first thing to read when it is red).
 * @public
 */
export function ClusterConnection(props: {
  cluster: ClusterSummary;
  now?: number;
}) {
  const { cluster } = props;
  const now = props.now ?? Date.now();
  const { connection } = cluster;
  return (
    <Box>
      <Typography variant="body2" component="div">
        <ConnectionStateLabel state={connection.state} />{' '}
        {cluster.mode === 'pull'
          ? 'pull (agent connects out)'
          : 'push (backend calls the API)'}
        {' · '}since {formatAge(connection.since, now)}
        {connection.lastSeen
          ? ` · last seen ${formatAge(connection.lastSeen, now)}`
          : ''}
      </Typography>
      {connection.error && (
        <Typography variant="caption" color="error" component="div">
          {connection.error}
        </Typography>
      )}
    </Box>
  );
}
