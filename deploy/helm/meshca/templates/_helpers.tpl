{{/* The chart's name, or nameOverride. */}}
{{- define "meshca.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every object's name: the release name, with the chart's name unless it already holds it. */}}
{{- define "meshca.fullname" -}}
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

{{- define "meshca.server.name" -}}{{ include "meshca.fullname" . | trunc 56 | trimSuffix "-" }}-server{{- end }}
{{- define "meshca.server.headless" -}}{{ include "meshca.fullname" . | trunc 47 | trimSuffix "-" }}-server-headless{{- end }}
{{- define "meshca.agent.name" -}}{{ include "meshca.fullname" . | trunc 57 | trimSuffix "-" }}-agent{{- end }}
{{- define "meshca.bundle.configMap" -}}{{ .Values.trustBundle.configMapName | default (printf "%s-bundle" (include "meshca.fullname" . | trunc 56 | trimSuffix "-")) }}{{- end }}
{{- define "meshca.jwks.configMap" -}}{{ .Values.k8sPsat.jwks.configMapName | default (printf "%s-k8s-jwks" (include "meshca.fullname" . | trunc 54 | trimSuffix "-")) }}{{- end }}

{{- define "meshca.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "meshca.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "meshca.server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshca.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{- define "meshca.agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshca.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end }}

{{- define "meshca.server.image" -}}
{{ .Values.image.server.repository }}:{{ .Values.image.server.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "meshca.agent.image" -}}
{{ .Values.image.agent.repository }}:{{ .Values.image.agent.tag | default .Chart.AppVersion }}
{{- end }}

{{/* sqlite runs one replica whatever `replicas` says: one SQLite file has one writer. */}}
{{- define "meshca.server.replicas" -}}
{{- if eq .Values.server.mode "postgres" }}{{ .Values.server.replicas }}{{ else }}1{{ end }}
{{- end }}

{{/* The agent's socket: Istio's workload SDS socket is a file named `socket`. */}}
{{- define "meshca.agent.socketDir" -}}/run/meshca/sockets{{- end }}
{{- define "meshca.agent.socketPath" -}}
{{ include "meshca.agent.socketDir" . }}/{{ if .Values.agent.istio.enabled }}socket{{ else }}api.sock{{ end }}
{{- end }}

{{/* Where the agent's projected service-account token for k8s_psat is mounted (the agent's tokenPath). */}}
{{- define "meshca.agent.tokenDir" -}}/var/run/secrets/tokens{{- end }}
{{- define "meshca.agent.tokenPath" -}}{{ include "meshca.agent.tokenDir" . }}/meshca-agent{{- end }}

{{/*
The kubelet subresource for GET /pods: nodes/pods where fine-grained kubelet authorization exists
(beta and on by default from Kubernetes 1.33), else nodes/proxy.
*/}}
{{- define "meshca.agent.kubeletSubresource" -}}
{{- $mode := .Values.agent.kubelet.authorization }}
{{- if eq $mode "auto" }}
{{- if semverCompare ">=1.33.0-0" .Capabilities.KubeVersion.Version }}nodes/pods{{ else }}nodes/proxy{{ end }}
{{- else }}nodes/{{ $mode }}{{ end }}
{{- end }}

{{- define "meshca.podSecurityContext.seccomp" -}}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
"true" when the server asks the API server at every attestation (k8sPsat lookups, TokenReview or
label selectors), else empty: then it mounts its service-account token and is given the server
ClusterRole.
*/}}
{{- define "meshca.server.apiLookups" -}}
{{- $p := .Values.k8sPsat }}
{{- if or $p.apiServerLookups $p.useTokenReview $p.allowedNodeLabelKeys $p.allowedPodLabelKeys }}true{{ end }}
{{- end }}

{{/* "true" when the server checks tokens with a JWKS file from a ConfigMap, else empty. */}}
{{- define "meshca.k8sPsat.jwksFile" -}}
{{- if not (or .Values.k8sPsat.jwks.discovery .Values.k8sPsat.useTokenReview) }}true{{ end }}
{{- end }}

{{/* Where a pod's automounted service-account files are: the server's default for its API server calls. */}}
{{- define "meshca.serviceAccountDir" -}}/var/run/secrets/kubernetes.io/serviceaccount{{- end }}
