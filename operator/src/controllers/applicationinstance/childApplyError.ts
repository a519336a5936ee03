import { KubeApiError, KubeObject } from '@vworkspace/kube-runtime';

/**
 * A failure to write one of an instance's children, naming the child, so that the instance's
 * status can say what could not be written and why. The API error is kept as `cause`.
 * @public
 */
export class ChildApplyError extends Error {
  override readonly name = 'ChildApplyError';
  /** `Kind namespace/name` of the child. */
  readonly child: string;
  /** Kind of the child, e.g. `Application`. */
  readonly kind: string;
  readonly namespace?: string;

  constructor(child: KubeObject, options: { cause: unknown }) {
    const kind = child.kind ?? 'object';
    const namespace = child.metadata?.namespace;
    const where = `${kind} ${namespace ? `${namespace}/` : ''}${child.metadata?.name ?? ''}`;
    super(`cannot write ${where}: ${messageOf(options.cause)}`, options);
    this.child = where;
    this.kind = kind;
    this.namespace = namespace;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof KubeApiError) return err.status?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** What engine, if missing, explains that the API server does not serve a child's kind. */
const installedBy: Record<string, string> = {
  HelmRelease: 'Flux (helm-controller)',
  HelmRepository: 'Flux (source-controller)',
  OCIRepository: 'Flux (source-controller)',
  Application: 'Argo CD',
};

/** A condition reason and a sentence for a failure to write a child, by the API's answer. */
interface ApplyFailure {
  reason: string;
  message: string;
}

type FailureRule = (e: ChildApplyError, api: KubeApiError) => ApplyFailure | undefined;

/** Checked in order; the first rule that knows the failure describes it. */
const rules: ReadonlyArray<FailureRule> = [
  (e, api) =>
    api.code === 404 && api.status?.details?.kind === 'namespaces'
      ? {
          reason: 'NamespaceNotFound',
          message: `${e.child} cannot be created: namespace "${api.status.details.name ?? e.namespace}" does not exist${
            e.kind === 'Application' ? '. Is Argo CD installed? The operator puts Argo CD Applications in that namespace (flag --argocd-namespace)' : ''
          }`,
        }
      : undefined,
  (e, api) =>
    api.code === 404
      ? {
          reason: 'KindNotServed',
          message: `${e.child} cannot be created: the API server does not serve ${e.kind}. Is ${installedBy[e.kind] ?? 'its controller'} installed?`,
        }
      : undefined,
  (e, api) =>
    api.code === 403
      ? { reason: 'Forbidden', message: `${e.child}: the operator is not allowed to write it: ${api.status?.message ?? api.message}` }
      : undefined,
  (e, api) => (api.code === 422 ? { reason: 'ApplyRejected', message: `${e.child} was rejected by the API server: ${api.status?.message ?? api.message}` } : undefined),
];

/**
 * The reason and message an instance's status gives for a child that could not be written.
 * Pure.
 * @public
 */
export function describeApplyFailure(err: ChildApplyError): ApplyFailure {
  const api = err.cause instanceof KubeApiError ? err.cause : undefined;
  for (const rule of api ? rules : []) {
    const found = rule(err, api!);
    if (found) return found;
  }
  return { reason: 'ApplyFailed', message: err.message };
}
