// The binaries are extracted by kube-sim's test utilities, shared with kube-sim's own kubectl conformance tests.
export { ensureKubeTools, helmPath, kubectlPath, layerZipPath } from '@vworkspace/kube-sim/testing';
export type { KubeTools } from '@vworkspace/kube-sim/testing';
