export { InstanceOverviewCard } from './InstanceOverviewCard';
