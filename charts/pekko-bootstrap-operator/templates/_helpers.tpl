{{/* Names and labels. */}}
{{- define "pbo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pbo.fullname" -}}
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

{{- define "pbo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pbo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pbo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "pbo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pekko-bootstrap-operator
{{- end }}

{{- define "pbo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pbo.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "pbo.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Leader election: asked for, or needed because more than one operator pod runs. */}}
{{- define "pbo.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{ else }}false{{ end }}
{{- end }}

{{/*
The operator's API use, rule by rule (docs/operations.md explains each): exactly operator/api-access.ts, which a
chart test compares with this. Its own leader-election lease lives in a Role in the release namespace
(pbo.leaseRules); the leases here are the lease-majority Leases of the clusters it runs. No wildcards.
*/}}
{{- define "pbo.rules" -}}
- apiGroups: ["bootstrap.pekko-operator.dev"]
  resources: ["clusterbootstraps"]
  verbs: ["list", "watch"]
- apiGroups: ["bootstrap.pekko-operator.dev"]
  resources: ["clusterbootstraps/status"]
  verbs: ["patch"]
# An agent cluster's ClusterMembership: the operator creates it (server-side apply) and never writes its status.
- apiGroups: ["bootstrap.pekko-operator.dev"]
  resources: ["clustermemberships"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# update on the status only so that it may grant it to the agents in Role <name>-membership (RBAC escalation
# prevention); the operator itself never writes a ClusterMembership's status.
- apiGroups: ["bootstrap.pekko-operator.dev"]
  resources: ["clustermemberships/status"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# pods get/list/watch: the operator reads contact points itself, and Kubernetes only lets it create the Role
# pod-reader (and bind it) if it holds every permission that Role grants (RBAC escalation prevention).
# pods patch: the pod-deletion-cost annotation on the oldest members (spec.lifecycle.podDeletionCost).
# pods delete: split repair (spec.splitRepair) restarts the pods of the clusters it does not keep.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "patch", "delete"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create"]
# Whether the pods' ServiceAccounts may list pods, asked of the API server (nothing is stored).
- apiGroups: ["authorization.k8s.io"]
  resources: ["localsubjectaccessreviews"]
  verbs: ["create"]
# leases: a lease-majority cluster's Lease (docs/split-brain.md): get it, create it when missing, delete it with its
# ClusterBootstrap. update is never called: Kubernetes lets the operator grant the pods get and update on the Lease
# (their Role <name>-sbr-lease) only if it holds both itself (RBAC escalation prevention).
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "delete"]
{{- end }}

{{- define "pbo.leaseRules" -}}
# Leader election (coordination.k8s.io Lease named after the release, in the release namespace).
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update"]
{{- end }}
