export { readZip } from '@vworkspace/kube-sim/testing';
export type { ZipEntry } from '@vworkspace/kube-sim/testing';
