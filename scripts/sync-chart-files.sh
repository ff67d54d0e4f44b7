#!/usr/bin/env bash
# The kustomize base is the one hand-edited copy of the dashboard and the alert rules; the chart
# cannot read files outside its directory, so it carries generated copies. Run this after editing
# deploy/kustomize/base/grafana-dashboard.json or components/prometheus-operator/prometheusrule.yaml;
# test/deploy/renderings.test.ts fails while the copies differ.
set -euo pipefail
cd "$(dirname "$0")/.."
cp deploy/kustomize/base/grafana-dashboard.json charts/vpc-route-sync/files/grafana-dashboard.json
{
  echo "# Generated from deploy/kustomize/components/prometheus-operator/prometheusrule.yaml by scripts/sync-chart-files.sh: edit that file."
  sed -n '/^spec:$/,$p' deploy/kustomize/components/prometheus-operator/prometheusrule.yaml | tail -n +2 | sed 's/^  //'
} > charts/vpc-route-sync/files/prometheus-rules.yaml
