export { ClusterContent } from './ClusterContent';
export { ClusterOverviewCard } from './ClusterOverviewCard';
