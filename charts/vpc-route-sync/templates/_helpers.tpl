{{- define "vpc-route-sync.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vpc-route-sync.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "vpc-route-sync.labels" -}}
{{ include "vpc-route-sync.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "vpc-route-sync.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vpc-route-sync.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "vpc-route-sync.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The settings every mode needs, checked at render time with a message naming the value. */}}
{{- define "vpc-route-sync.validate" -}}
{{- if ne .Values.credentials.mode "cloudConfig" -}}
{{- required "region is required (e.g. --set region=cn-hangzhou)" .Values.region -}}
{{- if and (not .Values.vpcId) (not .Values.routeTableIds) -}}
{{- fail "vpcId or routeTableIds is required" -}}
{{- end -}}
{{- end -}}
{{- required "clusterName is required: it marks the routes this cluster owns (unique per VPC)" .Values.clusterName -}}
{{- if not .Values.clusterCidr -}}
{{- fail "clusterCidr is required (e.g. --set clusterCidr={172.20.0.0/16}): the pod network, as on kube-controller-manager" -}}
{{- end -}}
{{- if not (has .Values.credentials.mode (list "accessKey" "rrsa" "ecsRamRole" "cloudConfig" "default")) -}}
{{- fail (printf "credentials.mode %q: expected accessKey, rrsa, ecsRamRole, cloudConfig or default" .Values.credentials.mode) -}}
{{- end -}}
{{- if eq .Values.credentials.mode "rrsa" -}}
{{- required "credentials.rrsa.roleArn is required with credentials.mode=rrsa" .Values.credentials.rrsa.roleArn -}}
{{- required "credentials.rrsa.oidcProviderArn is required with credentials.mode=rrsa" .Values.credentials.rrsa.oidcProviderArn -}}
{{- end -}}
{{- if not (has .Values.vpcEndpointType (list "vpc" "public")) -}}
{{- fail (printf "vpcEndpointType %q: expected vpc or public" .Values.vpcEndpointType) -}}
{{- end -}}
{{- end -}}
