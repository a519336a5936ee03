export { readZip } from '@vworkspace/kube-sim/src/testing/readZip';
export type { ZipEntry } from '@vworkspace/kube-sim/src/testing/readZip';
