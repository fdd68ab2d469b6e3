#!/usr/bin/env bash
# Writes the kubeconfig with which a gateway reads a remote cluster of its set, from the token Secret that
# remote-access.yaml makes there, and stores it in the gateway's cluster as a key of the Secret
# discovery-gateway-remotes (namespace discovery-gateway), which k8s/components/clusterset mounts.
#
#   make-kubeconfig.sh <remote name> <remote kubectl context> <gateway kubectl context> [remote API URL]
#
# The remote API URL defaults to the one of the remote context; give it when the gateway reaches that API by another
# address. Nothing secret is printed.
set -euo pipefail
name="${1:?remote cluster name (a DNS label)}"
remote="${2:?kubectl context of the remote cluster}"
home="${3:?kubectl context of the cluster the gateway runs in}"
server="${4:-$(kubectl config view --raw -o jsonpath="{.clusters[?(@.name==\"$(kubectl config view --raw \
  -o jsonpath="{.contexts[?(@.name==\"$remote\")].context.cluster}")\")].cluster.server}")}"
namespace=discovery-gateway
secret=discovery-gateway-remote-token
for _ in $(seq 1 30); do
  token="$(kubectl --context "$remote" -n "$namespace" get secret "$secret" -o jsonpath='{.data.token}' || true)"
  [ -n "$token" ] && break
  sleep 1
done
[ -n "${token:-}" ] || { echo "No token in $namespace/$secret of context $remote: apply remote/ there first" >&2; exit 1; }
ca="$(kubectl --context "$remote" -n "$namespace" get secret "$secret" -o jsonpath='{.data.ca\.crt}')"
file="$(mktemp)"
trap 'rm -f "$file"' EXIT
cat > "$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: $name
  cluster:
    server: $server
    certificate-authority-data: $ca
users:
- name: $name
  user:
    token: $(printf '%s' "$token" | base64 -d)
contexts:
- name: $name
  context:
    cluster: $name
    user: $name
    namespace: $namespace
current-context: $name
KUBECONFIG
existing="$(kubectl --context "$home" -n "$namespace" get secret discovery-gateway-remotes -o name 2>/dev/null || true)"
if [ -z "$existing" ]; then
  kubectl --context "$home" -n "$namespace" create secret generic discovery-gateway-remotes --from-file="$name=$file"
else
  kubectl --context "$home" -n "$namespace" patch secret discovery-gateway-remotes --type merge \
    -p "{\"data\":{\"$name\":\"$(base64 -w0 < "$file")\"}}"
fi
echo "Cluster $name: kubeconfig stored as key '$name' of $namespace/discovery-gateway-remotes in context $home"
