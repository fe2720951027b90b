#!/usr/bin/env bash
# Validates deploy/ offline: renders deploy/base and every deploy/overlays/*/ with
# `kubectl kustomize`, validates every rendered object against the Kubernetes 1.30 schemas
# (`kubernetes-validate --strict`: unknown fields are errors), and runs check-rendered.py for
# the facts a schema cannot see (Services select real pods, config files match the manifests,
# NetworkPolicies let the right traffic through). One line per check; exits 1 if any failed, or
# if a tool is missing and cannot be installed (nothing is skipped).
#
#   bash deploy/validate.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=1.30.0
KV_REQ='kubernetes-validate==1.37.*'

passed=0
failed=0
ok() { printf 'ok   %s\n' "$*"; passed=$((passed + 1)); }
fail() { printf 'FAIL %s\n' "$*"; failed=$((failed + 1)); }
die() { printf 'FAIL %s\n' "$*"; printf 'manifests: %d passed, %d failed\n' "$passed" "$((failed + 1))"; exit 1; }
indent() { sed 's/^/       /'; }

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
pip_install() {
    python3 -m pip install --quiet "$@" 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages "$@"
}

# ---- tools ------------------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 not found"
command -v kubectl >/dev/null || die "kubectl not found: it renders the kustomizations (kubectl 1.27+ has kustomize built in)"
ok "tool: $(kubectl version --client 2>/dev/null | head -n 2 | paste -sd ' ')"

python3 -c 'import yaml' 2>/dev/null || pip_install 'PyYAML>=6' || true
python3 -c 'import yaml' 2>/dev/null || die "PyYAML missing and could not be installed"
python3 -c 'import tomllib' 2>/dev/null || python3 -c 'import tomli' 2>/dev/null || pip_install 'tomli>=2' || true
python3 -c 'import tomllib' 2>/dev/null || python3 -c 'import tomli' 2>/dev/null \
    || die "no TOML parser (Python 3.11+ tomllib, or tomli) and tomli could not be installed"
ok "tool: python $(python3 -c 'import sys, yaml; print(sys.version.split()[0], "PyYAML", yaml.__version__)')"

kv_version() { python3 -c 'from kubernetes_validate.version import __version__ as v; print(v)' 2>/dev/null; }
case "$(kv_version || true)" in
    1.37.*) ;;
    *) pip_install "$KV_REQ" || true ;;
esac
case "$(kv_version || true)" in
    1.37.*) ;;
    *) die "kubernetes-validate 1.37 missing and could not be installed (pip install '$KV_REQ')" ;;
esac
# The module form of the `kubernetes-validate` command, so that where pip put the script does
# not matter.
kv() { python3 -m kubernetes_validate --strict --quiet -k "$K8S_VERSION" "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The validator must really be validating: an unknown field has to be rejected. Catches an
# install without the strict schemas for this version (it would then only warn, and pass).
cat >"$work/known-bad.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: known-bad
spec:
  ports:
    - port: 143
      targetPortt: 143
EOF
if out=$(kv "$work/known-bad.yaml" 2>&1); then
    die "kubernetes-validate accepted a Service with an unknown field: it is not validating"
elif grep -q 'targetPortt' <<<"$out"; then
    ok "tool: kubernetes-validate $(kv_version) rejects unknown fields against Kubernetes $K8S_VERSION (strict)"
else
    printf '%s\n' "$out" | indent
    die "kubernetes-validate failed for another reason than the unknown field"
fi

# ---- the Dockerfile's toolchain follows the workspace ---------------------------------------
rust_version=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' "$here/../Cargo.toml")
if grep -q "^FROM rust:${rust_version}-bookworm AS builder" "$here/Dockerfile"; then
    ok "Dockerfile: builder rust:${rust_version}-bookworm matches the workspace rust-version"
else
    fail "Dockerfile: builder is not rust:${rust_version}-bookworm (workspace rust-version ${rust_version})"
fi

# ---- render, validate, check each kustomization ---------------------------------------------
dirs=("$here/base")
for d in "$here"/overlays/*/; do
    [ -f "$d/kustomization.yaml" ] && dirs+=("${d%/}")
done
[ ${#dirs[@]} -ge 2 ] || fail "no overlay found under deploy/overlays/"

for dir in "${dirs[@]}"; do
    name=${dir#"$here"/}
    rendered="$work/$(tr '/' '_' <<<"$name").yaml"
    if ! kubectl kustomize "$dir" >"$rendered" 2>"$work/err"; then
        fail "$name: kubectl kustomize failed"
        indent <"$work/err"
        continue
    fi
    count=$(python3 -c 'import sys, yaml; print(sum(1 for d in yaml.safe_load_all(open(sys.argv[1])) if d))' "$rendered")
    ok "$name: rendered $count objects"

    # The image documents every port the pods listen on (EXPOSE), 7510 included.
    if [ "$name" = base ]; then
        missing=$(python3 - "$rendered" "$here/Dockerfile" <<'PY'
import sys, yaml
exposed = set()
for line in open(sys.argv[2]):
    if line.startswith("EXPOSE "):
        exposed |= {int(p.split("/")[0]) for p in line.split()[1:]}
ports = {p["containerPort"] for d in yaml.safe_load_all(open(sys.argv[1])) if d
         and d["kind"] in ("Deployment", "StatefulSet")
         for c in d["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
print(" ".join(str(p) for p in sorted(ports - exposed)))
PY
        ) || missing="(the check failed)"
        if [ -z "$missing" ]; then
            ok "Dockerfile: EXPOSE lists every container port of the base"
        else
            fail "Dockerfile: EXPOSE lacks container ports: $missing"
        fi
    fi

    # kubernetes-validate reads multi-document files itself (one result per object). With
    # --quiet it prints only problems, so any output is a failure: a WARN means an object's
    # schema was not found, i.e. that object was not validated.
    if out=$(kv "$rendered" 2>&1) && [ -z "$out" ]; then
        ok "$name: all $count objects valid against Kubernetes $K8S_VERSION (strict)"
    else
        fail "$name: schema validation"
        printf '%s\n' "$out" | indent
    fi

    rc=0
    python3 "$here/check-rendered.py" "$name" "$rendered" >"$work/checks" 2>"$work/err" || rc=$?
    cat "$work/checks"
    passed=$((passed + $(grep -c '^ok ' "$work/checks" || true)))
    n_fail=$(grep -c '^FAIL ' "$work/checks" || true)
    failed=$((failed + n_fail))
    # A crash (or an exit code that disagrees with the lines) is a failure of its own.
    if [ "$rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; then
        fail "$name: check-rendered.py exited $rc"
        indent <"$work/err"
    elif [ "$rc" -eq 0 ] && ! grep -q '^ok ' "$work/checks"; then
        fail "$name: check-rendered.py printed no result"
    fi
done

printf 'manifests: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
