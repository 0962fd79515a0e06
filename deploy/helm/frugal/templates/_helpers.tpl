{{/* Names, labels and the shared pieces the Deployment and the migrations job both use. */}}

{{- define "frugal.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "frugal.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "frugal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "frugal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "frugal.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "frugal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "frugal.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "frugal.secretName" -}}
{{- .Values.existingSecret | default (include "frugal.fullname" .) -}}
{{- end -}}

{{/* frugal.yaml as the ConfigMap holds it. */}}
{{- define "frugal.configData" -}}
frugal.yaml: |
{{ toYaml .Values.config | indent 2 }}
{{- end -}}

{{/* The Secret's entries: empty values are left out, so an unset provider key is not an empty variable. */}}
{{- define "frugal.secretData" -}}
{{- $s := .Values.secrets -}}
{{- if not .Values.existingSecret -}}
{{- $_ := required "secrets.databaseUrl is required: replicas share one PostgreSQL ledger (or set existingSecret)" $s.databaseUrl -}}
{{- $_ := required "secrets.redisUrl is required: replicas share budgets, rate limits and the cache through Redis (or set existingSecret)" $s.redisUrl -}}
{{- end -}}
DATABASE_URL: {{ $s.databaseUrl | b64enc | quote }}
REDIS_URL: {{ $s.redisUrl | b64enc | quote }}
{{- if $s.masterKey }}
FRUGAL_MASTER_KEY: {{ $s.masterKey | b64enc | quote }}
{{- end }}
{{- if $s.metricsToken }}
FRUGAL_METRICS_TOKEN: {{ $s.metricsToken | b64enc | quote }}
{{- end }}
{{- range $name, $value := $s.providerKeys }}
{{- if $value }}
{{ $name }}: {{ $value | b64enc | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
  The container settings the gateway and the migrations job share: same image, config and environment.
  Called with (dict "root" $ "secretName" NAME): the job reads the hook copy of the Secret.
*/}}
{{- define "frugal.containerBase" -}}
{{- $root := .root -}}
image: {{ include "frugal.image" $root | quote }}
imagePullPolicy: {{ $root.Values.image.pullPolicy }}
env:
  - name: FRUGAL_CONFIG
    value: /etc/frugal/frugal.yaml
envFrom:
  - secretRef:
      name: {{ .secretName }}
securityContext:
  {{- toYaml $root.Values.securityContext | nindent 2 }}
{{- end -}}
