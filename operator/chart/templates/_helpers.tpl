{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "fleet-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of every object the chart owns. A release called like the chart keeps the plain name,
so a default install yields "fleet-operator", "fleet-operator-webhook", ...
*/}}
{{- define "fleet-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fleet-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "fleet-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vworkspace-fleet
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "fleet-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fleet-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "fleet-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fleet-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fleet-operator.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "fleet-operator.webhookServiceName" -}}
{{- printf "%s-webhook" (include "fleet-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fleet-operator.webhookSecretName" -}}
{{- printf "%s-webhook-tls" (include "fleet-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* ClusterRole holding the rules of one RBAC profile; the operator binds it per namespace. */}}
{{- define "fleet-operator.profileClusterRoleName" -}}
{{- printf "%s-profile-%s" (include "fleet-operator.fullname" .root) .profile | trunc 63 | trimSuffix "-" }}
{{- end }}
