{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "bittorrent.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name if it already contains the chart name, else release-chart. */}}
{{- define "bittorrent.fullname" -}}
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

{{- define "bittorrent.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Names of the parts. The ring's StatefulSet and headless Service share a name, so pod DNS is <ring>-<i>.<ring>. */}}
{{- define "bittorrent.ringName" -}}{{ include "bittorrent.fullname" . | trunc 58 | trimSuffix "-" }}-ring{{- end }}
{{- define "bittorrent.peerName" -}}{{ include "bittorrent.fullname" . | trunc 57 | trimSuffix "-" }}-peer{{- end }}
{{- define "bittorrent.gatewayName" -}}{{ include "bittorrent.fullname" . | trunc 55 | trimSuffix "-" }}-gateway{{- end }}

{{/* Common labels (every object). */}}
{{- define "bittorrent.labels" -}}
helm.sh/chart: {{ include "bittorrent.chart" . }}
{{ include "bittorrent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bittorrent
{{- end }}

{{- define "bittorrent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bittorrent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component: (dict "ctx" $ "component" "ring") */}}
{{- define "bittorrent.componentLabels" -}}
{{ include "bittorrent.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "bittorrent.componentSelectorLabels" -}}
{{ include "bittorrent.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "bittorrent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "bittorrent.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference of a part: (dict "ctx" $ "image" .Values.ring.image) */}}
{{- define "bittorrent.image" -}}
{{- $tag := .image.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion | toString }}
{{- if .ctx.Values.image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" .ctx.Values.image.registry) .image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* The ring secret's Secret name and key. */}}
{{- define "bittorrent.ringSecretName" -}}
{{- if .Values.ring.existingSecret }}{{ .Values.ring.existingSecret }}{{ else }}{{ include "bittorrent.ringName" . }}-secret{{ end }}
{{- end }}
{{- define "bittorrent.ringSecretKey" -}}
{{- if .Values.ring.existingSecret }}{{ .Values.ring.existingSecretKey }}{{ else }}ring-secret{{ end }}
{{- end }}

{{/* true when ring pods listen on port + ordinal (antiAffinity none). */}}
{{- define "bittorrent.ringDistinctPorts" -}}
{{- if eq .Values.ring.antiAffinity "none" }}true{{ end }}
{{- end }}

{{/* true when peer pods listen on apiPort + ordinal and transferPort + ordinal (antiAffinity none). */}}
{{- define "bittorrent.peerDistinctPorts" -}}
{{- if eq .Values.peers.antiAffinity "none" }}true{{ end }}
{{- end }}

{{/* The address the servers listen on, and the one a probe inside the pod connects to. */}}
{{- define "bittorrent.listenAddress" -}}{{ .Values.listenAddress | default "0.0.0.0" }}{{- end }}
{{- define "bittorrent.probeAddress" -}}
{{- $listen := include "bittorrent.listenAddress" . }}{{ ternary "127.0.0.1" $listen (eq $listen "0.0.0.0") }}
{{- end }}

{{/* Peers and gateway follow discovery.multicast for hostNetwork unless set. */}}
{{- define "bittorrent.peersHostNetwork" -}}
{{- if kindIs "bool" .Values.peers.hostNetwork }}{{ .Values.peers.hostNetwork }}{{ else }}{{ .Values.discovery.multicast }}{{ end }}
{{- end }}
{{- define "bittorrent.gatewayHostNetwork" -}}
{{- if kindIs "bool" .Values.gateway.hostNetwork }}{{ .Values.gateway.hostNetwork }}{{ else }}{{ .Values.discovery.multicast }}{{ end }}
{{- end }}

{{/*
Seed URLs of the ring as a JSON array: ring.seeds when given; else, with multicast off, every ring
pod's DNS name through the headless Service (port + i when ports are distinct); else none.
*/}}
{{- define "bittorrent.seeds" -}}
{{- $seeds := list }}
{{- if .Values.ring.seeds }}
{{- $seeds = .Values.ring.seeds }}
{{- else if not .Values.discovery.multicast }}
{{- $ring := include "bittorrent.ringName" . }}
{{- $distinct := include "bittorrent.ringDistinctPorts" . }}
{{- range $i := until (int .Values.ring.replicas) }}
{{- $port := ternary (add $.Values.ring.port $i) $.Values.ring.port (eq $distinct "true") }}
{{- $seeds = append $seeds (printf "http://%s-%d.%s.%s.svc.cluster.local:%d" $ring $i $ring $.Release.Namespace (int $port)) }}
{{- end }}
{{- end }}
{{- toJson $seeds }}
{{- end }}

{{/* Env list of seeds: (dict "ctx" $ "prefix" "Chord__Seeds") */}}
{{- define "bittorrent.seedEnv" -}}
{{- range $i, $seed := (include "bittorrent.seeds" .ctx | fromJsonArray) }}
- name: {{ printf "%s__%d" $.prefix $i }}
  value: {{ $seed | quote }}
{{- end }}
{{- end }}

{{/* Downward-API env every pod needs first (later values use $(POD_IP), $(POD_NAME)). */}}
{{- define "bittorrent.podEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
{{- end }}

{{/* Discovery__* env (same on ring, peers, gateway). */}}
{{- define "bittorrent.discoveryEnv" -}}
- name: Discovery__Enabled
  value: {{ .Values.discovery.multicast | quote }}
- name: Discovery__Group
  value: {{ .Values.discovery.group | quote }}
- name: Discovery__Port
  value: {{ .Values.discovery.port | quote }}
- name: Discovery__Interface
  value: {{ .Values.discovery.interface | default "$(POD_IP)" | quote }}
- name: Discovery__Ttl
  value: {{ .Values.discovery.ttl | quote }}
{{- end }}

{{/* Pod anti-affinity of a component: (dict "ctx" $ "component" "ring" "mode" "required") merged with user affinity. */}}
{{- define "bittorrent.affinity" -}}
{{- $affinity := deepCopy (.affinity | default dict) }}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (include "bittorrent.componentSelectorLabels" (dict "ctx" .ctx "component" .component) | fromYaml)) }}
{{- if eq .mode "required" }}
{{- $pa := get $affinity "podAntiAffinity" | default dict }}
{{- $_ := set $pa "requiredDuringSchedulingIgnoredDuringExecution" (append (get $pa "requiredDuringSchedulingIgnoredDuringExecution" | default list) $term) }}
{{- $_ := set $affinity "podAntiAffinity" $pa }}
{{- else if eq .mode "preferred" }}
{{- $pa := get $affinity "podAntiAffinity" | default dict }}
{{- $_ := set $pa "preferredDuringSchedulingIgnoredDuringExecution" (append (get $pa "preferredDuringSchedulingIgnoredDuringExecution" | default list) (dict "weight" 100 "podAffinityTerm" $term)) }}
{{- $_ := set $affinity "podAntiAffinity" $pa }}
{{- end }}
{{- if $affinity }}
affinity:
  {{- toYaml $affinity | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod-level fields shared by all parts: (dict "ctx" $ "part" .Values.ring) */}}
{{- define "bittorrent.podCommon" -}}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
serviceAccountName: {{ include "bittorrent.serviceAccountName" .ctx }}
automountServiceAccountToken: false
{{- with .ctx.Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .part.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .part.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Fails the render when two host ports collide: the ring's (port .. port+replicas-1 with distinct ports),
and on the host network the peers' (apiPort and transferPort, each + ordinal with distinct ports) and
the gateway's.
*/}}
{{- define "bittorrent.checkPorts" -}}
{{- $ranges := list }}
{{- $ringCount := ternary (int .Values.ring.replicas) 1 (eq (include "bittorrent.ringDistinctPorts" .) "true") }}
{{- $ranges = append $ranges (dict "name" "ring.port" "first" (int .Values.ring.port) "count" (max 1 $ringCount)) }}
{{- if eq (include "bittorrent.peersHostNetwork" .) "true" }}
{{- $peerCount := ternary (int .Values.peers.replicas) 1 (eq (include "bittorrent.peerDistinctPorts" .) "true") | max 1 }}
{{- $ranges = append $ranges (dict "name" "peers.apiPort" "first" (int .Values.peers.apiPort) "count" $peerCount) }}
{{- $ranges = append $ranges (dict "name" "peers.transferPort" "first" (int .Values.peers.transferPort) "count" $peerCount) }}
{{- end }}
{{- if eq (include "bittorrent.gatewayHostNetwork" .) "true" }}
{{- $ranges = append $ranges (dict "name" "gateway.containerPort" "first" (int .Values.gateway.containerPort) "count" 1) }}
{{- end }}
{{- range $i, $a := $ranges }}
{{- $aLast := add $a.first $a.count -1 | int }}
{{- if gt $aLast 65535 }}
{{- fail (printf "%s (%d) + %d pods runs past port 65535" $a.name $a.first (int $a.count)) }}
{{- end }}
{{- range $j, $b := $ranges }}
{{- $bLast := add $b.first $b.count -1 | int }}
{{- if and (lt $i $j) (le $a.first $bLast) (le $b.first $aLast) }}
{{- fail (printf "%s (%d-%d) and %s (%d-%d) overlap on the host network" $a.name $a.first $aLast $b.name $b.first $bLast) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
bash one-liner of an exec probe: HTTP GET <path> on this pod's own port (<base> env + ordinal); succeeds
on status 200. (dict "ctx" $ "base" "CHORD_BASE_PORT" "path" "/healthz")
*/}}
{{- define "bittorrent.execProbe" -}}
port=$(({{ .base }} + ${POD_NAME##*-})); exec 3<>/dev/tcp/{{ include "bittorrent.probeAddress" .ctx }}/$port || exit 1; printf 'GET {{ .path }} HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3; read -r _ code _ <&3; [ "$code" = 200 ]
{{- end }}

{{- define "bittorrent.ringLivenessTiming" -}}
initialDelaySeconds: 10
periodSeconds: 10
timeoutSeconds: 3
failureThreshold: 6
{{- end }}

{{- define "bittorrent.ringReadinessTiming" -}}
initialDelaySeconds: 3
periodSeconds: 5
timeoutSeconds: 3
failureThreshold: 3
{{- end }}

{{- define "bittorrent.peerLivenessTiming" -}}
initialDelaySeconds: 10
periodSeconds: 10
timeoutSeconds: 3
failureThreshold: 6
{{- end }}

{{- define "bittorrent.peerReadinessTiming" -}}
initialDelaySeconds: 3
periodSeconds: 5
timeoutSeconds: 3
failureThreshold: 3
{{- end }}

{{/*
A duration in milliseconds as a .NET TimeSpan ("hh:mm:ss.fff"), the form the services' duration keys take.
(include "bittorrent.timespan" 500) is "00:00:00.500".
*/}}
{{- define "bittorrent.timespan" -}}
{{- $ms := int . -}}
{{- printf "%02d:%02d:%02d.%03d" (div $ms 3600000) (mod (div $ms 60000) 60) (mod (div $ms 1000) 60) (mod $ms 1000) -}}
{{- end }}

{{/*
Pod annotations: Prometheus scrape annotations (metrics.scrapeAnnotations; the port only when there is one
port for every pod of the part) and the part's own: (dict "ctx" $ "port" <port or ""> "extra" <map>)
*/}}
{{- define "bittorrent.podAnnotations" -}}
{{- if .ctx.Values.metrics.scrapeAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/path: /metrics
{{- with .port }}
prometheus.io/port: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* OTEL_* env (same on every part) when otlp.endpoint is set. */}}
{{- define "bittorrent.otlpEnv" -}}
{{- with .Values.otlp.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- if and .Values.otlp.endpoint .Values.otlp.protocol }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .Values.otlp.protocol | quote }}
{{- end }}
{{- end }}

{{/* The web seed url peers put in the torrents they publish: peers.webSeedUrl, else the gateway's ingress or Service. */}}
{{- define "bittorrent.webSeedUrl" -}}
{{- if .Values.peers.webSeedUrl -}}
{{ .Values.peers.webSeedUrl }}
{{- else if and .Values.gateway.ingress.enabled .Values.gateway.ingress.host -}}
{{ ternary "https" "http" (gt (len .Values.gateway.ingress.tls) 0) }}://{{ .Values.gateway.ingress.host }}/files
{{- else -}}
http://{{ include "bittorrent.gatewayName" . }}.{{ .Release.Namespace }}.svc:{{ .Values.gateway.service.port }}/files
{{- end -}}
{{- end }}
