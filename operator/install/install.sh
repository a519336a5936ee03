#!/usr/bin/env bash
# Installs, upgrades or removes the vWorkspace Fleet operator on the cluster of the current
# kubectl context. Run with --help for the options.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
default_chart="${script_dir}/../chart"

action=install
namespace=fleet-system
release=fleet-operator
chart=""
version=""
with_flux=false
dry_run=false
purge=false
kube_context=""
values_files=()
set_args=()

usage() {
  cat <<USAGE
Usage: install.sh [install|uninstall] [options]

  install (default)   install or upgrade the operator (helm upgrade --install)
  uninstall           remove the operator; CRDs, ApplicationInstances, Operations and
                      backups stay unless --purge is given

Options:
  -n, --namespace NS    release namespace (default: fleet-system)
  --release NAME        Helm release name (default: fleet-operator)
  --chart REF           chart directory or OCI reference, e.g.
                        oci://ghcr.io/vworkspace/charts/fleet-operator
                        (default: the chart next to this script)
  --version VERSION     chart version (OCI charts)
  -f, --values FILE     values file (repeatable)
  --set KEY=VALUE       value override (repeatable)
  --context NAME        kubectl/helm context (default: current context)
  --with-flux           install Flux when its controllers are missing
  --dry-run             print what would change, change nothing
  --purge               with uninstall: also delete the CRDs and so every
                        ApplicationInstance and Operation (backups in Velero stay)
  -h, --help            this help
USAGE
}

log() { printf '%s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    install | uninstall) action=$1 ;;
    -n | --namespace) namespace=${2:?"$1 needs a value"}; shift ;;
    --release) release=${2:?"$1 needs a value"}; shift ;;
    --chart) chart=${2:?"$1 needs a value"}; shift ;;
    --version) version=${2:?"$1 needs a value"}; shift ;;
    -f | --values) values_files+=("${2:?"$1 needs a value"}"); shift ;;
    --set) set_args+=("${2:?"$1 needs a value"}"); shift ;;
    --context) kube_context=${2:?"$1 needs a value"}; shift ;;
    --with-flux) with_flux=true ;;
    --dry-run) dry_run=true ;;
    --purge) purge=true ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

[ -n "$chart" ] || chart=$default_chart

kubectl_args=()
helm_args=()
if [ -n "$kube_context" ]; then
  kubectl_args+=(--context "$kube_context")
  helm_args+=(--kube-context "$kube_context")
fi
k() { kubectl ${kubectl_args[@]+"${kubectl_args[@]}"} "$@"; }
h() { helm ${helm_args[@]+"${helm_args[@]}"} "$@"; }

# Runs a changing command, or prints it under --dry-run.
change() {
  if [ "$dry_run" = true ]; then
    log "would run: $*"
  else
    "$@"
  fi
}

has_crd() { k get crd "$1" >/dev/null 2>&1; }

check_tools() {
  command -v kubectl >/dev/null 2>&1 || die "kubectl is required (https://kubernetes.io/docs/tasks/tools/)"
  command -v helm >/dev/null 2>&1 || die "helm 3.8+ is required (https://helm.sh/docs/intro/install/)"
  k version >/dev/null 2>&1 || k get --raw /version >/dev/null 2>&1 ||
    die "cannot reach the cluster of context '${kube_context:-$(kubectl config current-context 2>/dev/null || echo none)}'"
}

check_flux() {
  local missing=()
  has_crd helmrepositories.source.toolkit.fluxcd.io || missing+=(source-controller)
  has_crd helmreleases.helm.toolkit.fluxcd.io || missing+=(helm-controller)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$with_flux" != true ]; then
    die "Flux is not installed (missing: ${missing[*]}). Install it (https://fluxcd.io/flux/installation/) or rerun with --with-flux"
  fi
  if command -v flux >/dev/null 2>&1; then
    log "installing Flux with the flux CLI"
    change flux install --components=source-controller,helm-controller
  else
    log "installing Flux from its release manifests"
    change k apply --server-side -f https://github.com/fluxcd/flux2/releases/latest/download/install.yaml
  fi
}

# The chart grants rights on an optional engine's objects only when the engine is enabled (and
# renders the Velero Role into Velero's namespace, which must exist): enable those found here.
# They go in a values file ahead of the user's: any --values or --set given here wins over them.
engine_values=()
check_optional_engines() {
  if has_crd backups.velero.io && k get namespace velero >/dev/null 2>&1; then
    log "Velero found: enabling the velero engine (velero.enabled=true)"
    engine_values+=("velero: {enabled: true}")
  else
    warn "Velero is not installed (no backups.velero.io CRD or no velero namespace): the velero engine (Backup/Restore) will be unavailable"
  fi
  if has_crd workflows.argoproj.io; then
    log "Argo Workflows found: enabling the workflow engine (workflows.enabled=true)"
    engine_values+=("workflows: {enabled: true}")
  else
    warn "Argo Workflows is not installed: the workflow engine will be unavailable"
  fi
  local snapshots=false volsync=false
  has_crd volumesnapshots.snapshot.storage.k8s.io && snapshots=true
  has_crd replicationsources.volsync.backube && volsync=true
  [ "$snapshots" = true ] || warn "the CSI snapshot CRDs are not installed: the volsync engine cannot take VolumeSnapshots"
  [ "$volsync" = true ] || warn "VolSync is not installed: ReplicationSource triggers will be unavailable"
  if [ "$snapshots" = true ] || [ "$volsync" = true ]; then
    log "enabling the volsync engine (volsync.enabled=true)"
    engine_values+=("volsync: {enabled: true}")
  fi
  has_crd applications.argoproj.io || log "note: Argo CD is not installed; ApplicationInstances with engine argocd will not reconcile"
  if ! has_crd certificates.cert-manager.io; then
    log "note: cert-manager is not installed; the chart generates the webhook certificate itself"
  fi
}

# Helm creates CRDs on first install only: apply them on every run so upgrades get new versions.
apply_crds() {
  local crd_dir
  if [ -d "$chart" ]; then
    crd_dir="$chart/crds"
  else
    crd_dir=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: the variable is local
    trap "rm -rf '$crd_dir'" EXIT
    local pull_args=(pull "$chart" --untar --untardir "$crd_dir")
    [ -n "$version" ] && pull_args+=(--version "$version")
    h "${pull_args[@]}" >/dev/null
    crd_dir="$crd_dir/$(basename "${chart%%:*}")/crds"
  fi
  if [ "$dry_run" = true ]; then
    k apply --server-side --field-manager=fleet-operator-install --force-conflicts --dry-run=server -f "$crd_dir"
  else
    k apply --server-side --field-manager=fleet-operator-install --force-conflicts -f "$crd_dir"
  fi
}

install() {
  check_tools
  check_flux
  check_optional_engines
  apply_crds
  local args=(upgrade --install "$release" "$chart" --namespace "$namespace" --create-namespace --wait --timeout 5m)
  [ -n "$version" ] && args+=(--version "$version")
  local f s engine_file=""
  if [ ${#engine_values[@]} -gt 0 ]; then
    engine_file=$(mktemp)
    printf '%s\n' "${engine_values[@]}" >"$engine_file"
    args+=(--values "$engine_file")
  fi
  for f in "${values_files[@]+"${values_files[@]}"}"; do args+=(--values "$f"); done
  for s in "${set_args[@]+"${set_args[@]}"}"; do args+=(--set "$s"); done
  [ "$dry_run" = true ] && args+=(--dry-run=server)
  local rc=0
  h "${args[@]}" || rc=$?
  [ -n "$engine_file" ] && rm -f "$engine_file"
  return "$rc"
}

uninstall() {
  check_tools
  change h uninstall "$release" --namespace "$namespace" --wait
  if [ "$purge" = true ]; then
    log "deleting the CRDs: every ApplicationInstance and Operation goes with them"
    change k delete crd applicationinstances.apps.vworkspace.io operations.ops.vworkspace.io --ignore-not-found
  else
    log "kept the CRDs, ApplicationInstances and Operations; rerun with --purge to delete them"
  fi
}

"$action"
