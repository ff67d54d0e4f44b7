{{- define "vpc-route-sync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vpc-route-sync.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "vpc-route-sync.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "vpc-route-sync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vpc-route-sync.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "vpc-route-sync.labels" -}}
{{ include "vpc-route-sync.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
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
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) -}}
{{- fail (printf "replicaCount %d with leaderElection.enabled=false: every replica would write routes; set replicaCount=1 or enable leader election" (int .Values.replicaCount)) -}}
{{- end -}}
{{- include "vpc-route-sync.validateCidrs" . -}}
{{- end -}}

{{/*
Each clusterCidr is a network address: no bit set after the prefix (10.244.0.0/16, not
10.244.1.0/16), at most one per family. values.schema.json has checked the spelling already; JSON
Schema cannot do this arithmetic.
*/}}
{{- define "vpc-route-sync.validateCidrs" -}}
{{- $hex := dict "0" 0 "1" 1 "2" 2 "3" 3 "4" 4 "5" 5 "6" 6 "7" 7 "8" 8 "9" 9 "a" 10 "b" 11 "c" 12 "d" 13 "e" 14 "f" 15 -}}
{{- $families := list -}}
{{- range $cidr := .Values.clusterCidr -}}
{{- $parts := splitList "/" $cidr -}}
{{- $prefix := atoi (index $parts 1) -}}
{{- $width := 8 -}}
{{- $groups := list -}}
{{- if contains ":" $cidr -}}
{{- $width = 16 -}}
{{- $halves := splitList "::" (index $parts 0) -}}
{{- $head := list -}}
{{- $tail := list -}}
{{- with index $halves 0 }}{{ $head = splitList ":" . }}{{ end -}}
{{- if gt (len $halves) 1 }}{{ with index $halves 1 }}{{ $tail = splitList ":" . }}{{ end }}{{ end -}}
{{- $groups = $head -}}
{{- if gt (len $halves) 1 -}}
{{- range until (sub 8 (add (len $head) (len $tail)) | int) }}{{ $groups = append $groups "0" }}{{ end -}}
{{- end -}}
{{- $groups = concat $groups $tail -}}
{{- if ne (len $groups) 8 }}{{ fail (printf "clusterCidr %q: not an IPv6 network" $cidr) }}{{ end -}}
{{- else -}}
{{- $groups = splitList "." (index $parts 0) -}}
{{- end -}}
{{- $family := ternary "IPv6" "IPv4" (eq $width 16) -}}
{{- if has $family $families }}{{ fail (printf "clusterCidr %q: a second %s CIDR; give at most one IPv4 and one IPv6" $cidr $family) }}{{ end -}}
{{- $families = append $families $family -}}
{{- range $i, $group := $groups -}}
{{- $value := 0 -}}
{{- if eq $width 16 -}}
{{- range $digit := splitList "" $group }}{{ $value = add (mul $value 16) (get $hex $digit) }}{{ end -}}
{{- else -}}
{{- $value = atoi $group -}}
{{- end -}}
{{- $start := mul $i $width -}}
{{- $hostBits := 0 -}}
{{- if ge (int $start) $prefix -}}
{{- $hostBits = $width -}}
{{- else if gt (add $start $width | int) $prefix -}}
{{- $hostBits = sub (add $start $width) $prefix -}}
{{- end -}}
{{- $size := 1 -}}
{{- range until (int $hostBits) }}{{ $size = mul $size 2 }}{{ end -}}
{{- if ne (mod $value $size | int) 0 -}}
{{- fail (printf "clusterCidr %q: bits are set after the /%d prefix (host bits); write the network address, as kube-controller-manager --cluster-cidr does" $cidr $prefix) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The chart's own placement; values.affinity is merged over it (deployment.yaml). */}}
{{- define "vpc-route-sync.affinity" -}}
nodeAffinity:
  {{- if eq .Values.credentials.mode "ecsRamRole" }}
  # Only the control-plane nodes' RAM role may change routes.
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
      - matchExpressions:
          - key: node-role.kubernetes.io/control-plane
            operator: Exists
  {{- else if gt (int .Values.controlPlanePreferenceWeight) 0 }}
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: {{ .Values.controlPlanePreferenceWeight }}
      preference:
        matchExpressions:
          - key: node-role.kubernetes.io/control-plane
            operator: Exists
  {{- end }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "vpc-route-sync.selectorLabels" . | nindent 10 }}
{{- end -}}
