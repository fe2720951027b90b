#!/usr/bin/env python3
"""Structural checks on one rendered kustomization (the output of `kubectl kustomize DIR`).

    python3 deploy/check-rendered.py NAME RENDERED.yaml

The schema validation (kubernetes-validate) says each object is well-formed; this says the objects
fit together and fit the binary: Services select real pods and real ports, the config files in the
ConfigMaps name the ports, paths, peers and Services the manifests define, the NetworkPolicies let
the intended traffic through and stop the rest, both workloads get the same cluster secret.
Prints one line per check ("ok" or "FAIL") and exits 1 if any failed. Run by deploy/validate.sh.
"""

import sys

import yaml

try:
    import tomllib  # Python 3.11+
except ModuleNotFoundError:  # pragma: no cover - older Pythons, validate.sh installs tomli
    import tomli as tomllib

# Secrets the manifests reference but do not generate: the operator creates them.
EXTERNAL_SECRETS = {"strata-tls"}

FRONTEND = {"app.kubernetes.io/name": "strata", "app.kubernetes.io/component": "frontend"}
METAD = {"app.kubernetes.io/name": "strata", "app.kubernetes.io/component": "metad"}
ADMIN = {"app.kubernetes.io/component": "admin"}
# An admin pod that also carries the project's name label (a Job made from these manifests).
ADMIN_STRATA = {"app.kubernetes.io/name": "strata", "app.kubernetes.io/component": "admin"}
OTHER = {"app": "something-else"}

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass",
                  "PersistentVolume", "CustomResourceDefinition", "PriorityClass"}


class Checks:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, what, fn):
        """Runs fn(); it returns None (pass) or a string saying what is wrong, or raises."""
        try:
            problem = fn()
        except Exception as e:  # a missing object or field is a failure, not a crash
            problem = f"{type(e).__name__}: {e}"
        if problem:
            self.failed += 1
            print(f"FAIL {self.name}: {what}: {problem}")
        else:
            self.passed += 1
            print(f"ok   {self.name}: {what}")


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def find(docs, kind, name=None):
    found = [d for d in docs if d.get("kind") == kind
             and (name is None or d["metadata"]["name"] == name)]
    return found


def one(docs, kind, name):
    found = find(docs, kind, name)
    if len(found) != 1:
        raise LookupError(f"expected one {kind} {name}, found {len(found)}")
    return found[0]


def generated(docs, kind, base_name):
    """A ConfigMap/Secret made by a kustomize generator: NAME-<hash>, or NAME when unhashed."""
    found = [d for d in docs if d.get("kind") == kind and
             (d["metadata"]["name"] == base_name or
              d["metadata"]["name"].rsplit("-", 1)[0] == base_name)]
    if len(found) != 1:
        raise LookupError(f"expected one generated {kind} {base_name}, found {len(found)}")
    return found[0]


def matches(selector, labels):
    """matchLabels plus the matchExpressions operators; an empty selector matches everything."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        op, key, values = e["operator"], e["key"], e.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def pod_spec(w):
    return w["spec"]["template"]["spec"]


def pod_labels(w):
    return w["spec"]["template"]["metadata"].get("labels", {})


def containers(w):
    return pod_spec(w)["containers"]


def named_port(container, port):
    """A probe's or Service's port (a number or a container port's name) as a number."""
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p.get("name") == port:
            return p["containerPort"]
    raise LookupError(f"container {container['name']} has no port named {port!r}")


def listen_port(addr):
    return int(addr.rsplit(":", 1)[1])


def config_of(docs, workload, config_map_base):
    """The TOML file a workload runs with: its --config argument, found in its mounted ConfigMap."""
    c = containers(workload)[0]
    args = c.get("args", [])
    path = args[args.index("--config") + 1]
    cm = generated(docs, "ConfigMap", config_map_base)
    for m in c.get("volumeMounts", []):
        if m["mountPath"] == path:
            vol = next(v for v in pod_spec(workload)["volumes"] if v["name"] == m["name"])
            if vol.get("configMap", {}).get("name") != cm["metadata"]["name"]:
                raise LookupError(f"{path} is not mounted from ConfigMap {cm['metadata']['name']}")
            key = m.get("subPath") or path.rsplit("/", 1)[1]
            return tomllib.loads(cm["data"][key])
    raise LookupError(f"nothing is mounted at --config {path}")


def env_sources(c):
    """Every ConfigMap and Secret name a container's env and envFrom refer to."""
    out = []
    for e in c.get("envFrom", []):
        if "configMapRef" in e:
            out.append(("ConfigMap", e["configMapRef"]["name"]))
        if "secretRef" in e:
            out.append(("Secret", e["secretRef"]["name"]))
    for e in c.get("env", []):
        vf = e.get("valueFrom", {})
        if "configMapKeyRef" in vf:
            out.append(("ConfigMap", vf["configMapKeyRef"]["name"], vf["configMapKeyRef"]["key"]))
        if "secretKeyRef" in vf:
            out.append(("Secret", vf["secretKeyRef"]["name"], vf["secretKeyRef"]["key"]))
    return out


# ---- NetworkPolicy evaluation (podSelector, namespaceSelector {}, ipBlock, numbered ports) ----

def peer_matches(peer, other):
    """other: the labels of a pod in the same namespace, or None for a client outside the cluster."""
    if "ipBlock" in peer:
        return other is None
    if "namespaceSelector" in peer:
        # Only the "any namespace" form is used here; a pod of this namespace is in it.
        if peer["namespaceSelector"] != {}:
            return False
        return other is not None and matches(peer.get("podSelector", {}), other)
    return other is not None and matches(peer["podSelector"], other)


def port_matches(rule, port, proto, names=None):
    """Does one of the rule's ports admit port/proto? A rule port may be a number (with an
    optional endPort: a range) or a name, which means the destination pod's container port of
    that name (`names`: {name: number}; unknown, e.g. outside the cluster, matches
    nothing)."""
    ports = rule.get("ports")
    if not ports:
        return True
    for p in ports:
        if p.get("protocol", "TCP") != proto:
            continue
        want = p.get("port")
        if want is None:  # every port of that protocol
            return True
        if isinstance(want, str):
            want = (names or {}).get(want)
            if want is None:
                continue
        if want <= port <= p.get("endPort", want):
            return True
    return False


def port_names(workload):
    """{name: containerPort} over a workload's containers: what a named policy port means."""
    return {p["name"]: p["containerPort"] for ct in containers(workload)
            for p in ct.get("ports", []) if p.get("name")}


def allowed(policies, direction, pod, other, port, proto="TCP", names=None):
    """Would traffic on port be let through, for the pod with labels `pod` in `direction`
    (Ingress: from other; Egress: to other)? names: the destination pod's named ports."""
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    selecting = [p for p in policies if matches(p["spec"]["podSelector"], pod)
                 and direction in p["spec"].get("policyTypes", ["Ingress"])]
    if not selecting:
        return True  # not isolated
    for p in selecting:
        for rule in p["spec"].get(key) or []:
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(x, other) for x in peers)) \
                    and port_matches(rule, port, proto, names):
                return True
    return False


def run(name, path):
    docs = load(path)
    ck = Checks(name)
    c = ck.check

    fe = lambda: one(docs, "Deployment", "frontend")  # noqa: E731
    md = lambda: one(docs, "StatefulSet", "metad")  # noqa: E731

    # -- the objects --
    def objects():
        want = [("Deployment", "frontend"), ("StatefulSet", "metad"), ("Service", "frontend"),
                ("Service", "metad"), ("Service", "metad-admin"),
                ("HorizontalPodAutoscaler", "frontend"), ("PodDisruptionBudget", "frontend"),
                ("PodDisruptionBudget", "metad"), ("NetworkPolicy", "frontend"),
                ("NetworkPolicy", "metad")]
        missing = [f"{k}/{n}" for k, n in want if len(find(docs, k, n)) != 1]
        return f"missing {missing}" if missing else None
    c("the frontend and metad workloads, their Services, HPA, PDBs and NetworkPolicies are there",
      objects)

    def common_labels():
        bad = []
        for d in docs:
            labels = d["metadata"].get("labels", {})
            if labels.get("app.kubernetes.io/name") != "strata":
                bad.append(f"{d['kind']}/{d['metadata']['name']}")
        for w, comp in ((fe(), "frontend"), (md(), "metad")):
            for where in (w["metadata"].get("labels", {}), pod_labels(w)):
                if where.get("app.kubernetes.io/component") != comp:
                    bad.append(f"{w['kind']}/{w['metadata']['name']} component")
        return f"without app.kubernetes.io/name=strata: {bad}" if bad else None
    c("every object labelled app.kubernetes.io/name=strata, workloads with their component",
      common_labels)

    # -- namespaces --
    def namespaces():
        nss = [d["metadata"]["name"] for d in find(docs, "Namespace")]
        namespaced = [d for d in docs if d["kind"] not in CLUSTER_SCOPED]
        if not nss:
            set_ = [d["metadata"]["name"] for d in namespaced if d["metadata"].get("namespace")]
            return f"namespace set in a namespace-agnostic render: {set_}" if set_ else None
        if len(nss) != 1:
            return f"several Namespaces: {nss}"
        wrong = [f"{d['kind']}/{d['metadata']['name']}" for d in namespaced
                 if d["metadata"].get("namespace") != nss[0]]
        return f"not in namespace {nss[0]}: {wrong}" if wrong else None
    c("namespaces: none in a base, or every object in the one rendered Namespace", namespaces)

    # -- Services --
    def frontend_service():
        svc = one(docs, "Service", "frontend")
        ports = {(p["port"], p.get("protocol", "TCP")) for p in svc["spec"]["ports"]}
        missing = {(143, "TCP"), (993, "TCP")} - ports
        if missing:
            return f"ports {sorted(missing)} not exposed (has {sorted(ports)})"
        if svc["spec"].get("type") not in ("LoadBalancer", "NodePort", "ClusterIP", None):
            return f"type {svc['spec'].get('type')}"
        container = containers(fe())[0]
        for p in svc["spec"]["ports"]:
            target = named_port(container, p.get("targetPort", p["port"]))
            if target != p["port"]:
                return f"port {p['port']} goes to container port {target}"
        return None
    c("frontend Service exposes 143 and 993, to the container's 143 and 993", frontend_service)

    def services_select_pods():
        workloads = find(docs, "Deployment") + find(docs, "StatefulSet")
        for svc in find(docs, "Service"):
            sel = svc["spec"].get("selector")
            hits = [w for w in workloads if sel and matches({"matchLabels": sel}, pod_labels(w))]
            if len(hits) != 1:
                return f"Service {svc['metadata']['name']} selects {len(hits)} workloads"
            for p in svc["spec"]["ports"]:
                named_port(containers(hits[0])[0], p.get("targetPort", p["port"]))
        return None
    c("every Service selects exactly one workload, and its target ports exist there",
      services_select_pods)

    # -- metad --
    def metad_statefulset():
        s = md()
        spec = s["spec"]
        if spec.get("replicas") != 3:
            return f"replicas {spec.get('replicas')}, want 3"
        if spec.get("podManagementPolicy") != "Parallel":
            return "podManagementPolicy is not Parallel (ordered start never elects a leader)"
        headless = one(docs, "Service", spec["serviceName"])
        if headless["spec"].get("clusterIP") != "None":
            return f"serviceName {spec['serviceName']} is not headless"
        if headless["spec"].get("publishNotReadyAddresses") is not True:
            return "the headless Service does not publish not-ready pods (raft peers never meet)"
        vcts = spec.get("volumeClaimTemplates") or []
        if not vcts:
            return "no volumeClaimTemplate"
        vct = vcts[0]
        if "ReadWriteOnce" not in vct["spec"]["accessModes"]:
            return "volume is not ReadWriteOnce"
        if not vct["spec"]["resources"]["requests"].get("storage"):
            return "volume has no storage request"
        mounts = {m["name"]: m["mountPath"] for m in containers(s)[0]["volumeMounts"]}
        if mounts.get(vct["metadata"]["name"]) != "/var/lib/strata":
            return f"volume {vct['metadata']['name']} not mounted at /var/lib/strata"
        return None
    c("metad StatefulSet: 3 replicas, Parallel, headless Service publishing not-ready pods, "
      "a ReadWriteOnce volumeClaimTemplate at /var/lib/strata", metad_statefulset)

    def node_name():
        env = {e["name"]: e for e in containers(md())[0].get("env", [])}
        e = env.get("STRATA_NODE_NAME")
        if not e or e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") != "metadata.name":
            return "STRATA_NODE_NAME is not the pod's metadata.name"
        adv = env.get("STRATA_METAD_ADVERTISE")
        if adv:
            s = md()
            peers = config_of(docs, s, "strata-metad-config")["metad"]["peers"]
            names = list(env)
            if names.index("STRATA_METAD_ADVERTISE") < names.index("STRATA_NODE_NAME"):
                return "STRATA_METAD_ADVERTISE comes before STRATA_NODE_NAME (no expansion)"
            for i, peer in enumerate(peers):
                got = adv["value"].replace("$(STRATA_NODE_NAME)", f"{s['metadata']['name']}-{i}")
                if got != peer:
                    return f"pod {i} would advertise {got}, but peers[{i}] is {peer}"
        return None
    c("metad gets STRATA_NODE_NAME from metadata.name (node id from the ordinal), and "
      "advertises its own peers entry", node_name)

    def data_dirs():
        for w in (fe(), md()):
            ct = containers(w)[0]
            env = {e["name"]: e.get("value") for e in ct.get("env", [])}
            mounts = {m["mountPath"]: m for m in ct.get("volumeMounts", [])}
            d = env.get("STRATA_DATA_DIR")
            if d is None:
                continue
            if d not in mounts or mounts[d].get("readOnly"):
                return f"{w['metadata']['name']}: STRATA_DATA_DIR {d} is not a writable volume"
        return None
    c("STRATA_DATA_DIR, where set, is a writable volume (the root filesystem is read-only)",
      data_dirs)

    def metad_config():
        s = md()
        full = config_of(docs, s, "strata-metad-config")
        conf = full["metad"]
        container = containers(s)[0]
        grpc = named_port(container, "grpc")
        want = [f"{s['metadata']['name']}-{i}.{s['spec']['serviceName']}:{grpc}"
                for i in range(s["spec"]["replicas"])]
        if conf["peers"] != want:
            return f"peers {conf['peers']}, want {want}"
        if listen_port(conf["listen"]) != grpc:
            return f"listen {conf['listen']} is not the grpc port {grpc}"
        probe = named_port(container, container["readinessProbe"]["httpGet"]["port"])
        if listen_port(conf["health_listen"]) != probe:
            return f"health_listen {conf['health_listen']} is not the probe port {probe}"
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        if env.get("STRATA_DATA_DIR") not in mounts:
            return f"STRATA_DATA_DIR {env.get('STRATA_DATA_DIR')} is not a mounted volume"
        if "data_dir" in conf or "search_shards" in conf:
            return "[metad] has keys the binary refuses (data_dir, search_shards)"
        if int(full.get("search", {}).get("shards", 0)) < 1:
            return "[search] shards < 1"
        return None
    c("metad.toml: one peer per replica (metad-N.metad:7500), listen/health/data_dir match "
      "the pod", metad_config)

    def admin_listen():
        s = md()
        conf = config_of(docs, s, "strata-metad-config")["metad"]
        container = containers(s)[0]
        admin, grpc = named_port(container, "admin"), named_port(container, "grpc")
        if admin == grpc:
            return f"the admin port {admin} is the cluster port"
        if "admin_listen" not in conf:
            return "no [metad] admin_listen (its default, 127.0.0.1:7510, is unreachable)"
        host = conf["admin_listen"].rsplit(":", 1)[0].strip("[]")
        if host not in ("0.0.0.0", "::"):
            return f"admin_listen {conf['admin_listen']} is not reachable from other pods"
        if listen_port(conf["admin_listen"]) != admin:
            return f"admin_listen {conf['admin_listen']} is not the admin container port {admin}"
        svc = one(docs, "Service", "metad-admin")
        targets = [named_port(container, p.get("targetPort", p["port"]))
                   for p in svc["spec"]["ports"]]
        if targets != [admin]:
            return f"Service metad-admin reaches container ports {targets}, want only {admin}"
        if svc["spec"].get("clusterIP") == "None":
            return "Service metad-admin is headless (admin clients want one address)"
        return None
    c("metad.toml: admin_listen on all interfaces at the container's admin port (not the "
      "cluster port), which Service metad-admin alone exposes", admin_listen)

    def cluster_secret():
        refs = {}
        for w in (fe(), md()):
            who = w["metadata"]["name"]
            env = {e["name"]: e for e in containers(w)[0].get("env", [])}
            e = env.get("STRATA_CLUSTER_SECRET")
            if e is None:
                return f"{who} has no STRATA_CLUSTER_SECRET (it refuses to start)"
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if "value" in e or not ref:
                return f"{who}'s STRATA_CLUSTER_SECRET does not come from a Secret"
            if ref.get("optional"):
                return f"{who}'s STRATA_CLUSTER_SECRET is optional (a pod without it fails)"
            refs[who] = (ref["name"], ref["key"])
        if len(set(refs.values())) != 1:
            return f"not the same Secret key: {refs}"
        name, key = next(iter(refs.values()))
        if name not in EXTERNAL_SECRETS:
            secret = one(docs, "Secret", name)
            if secret.get("data", {}).get(key, "") == "" and \
                    secret.get("stringData", {}).get(key, "") == "":
                return f"Secret {name} key {key} is empty"
        # Never in plain text in a ConfigMap (the config files, or an envFrom ConfigMap).
        for w, cm in ((md(), "strata-metad-config"), (fe(), "strata-frontend-config")):
            if config_of(docs, w, cm).get("cluster", {}).get("secret"):
                return f"ConfigMap {cm} holds [cluster] secret"
            for src in env_sources(containers(w)[0]):
                if src[0] == "ConfigMap" and len(src) == 2 and \
                        "STRATA_CLUSTER_SECRET" in one(docs, "ConfigMap", src[1]).get("data", {}):
                    return f"ConfigMap {src[1]} holds STRATA_CLUSTER_SECRET"
        return None
    c("STRATA_CLUSTER_SECRET: frontend and metad read it from the same Secret key, in no "
      "ConfigMap", cluster_secret)

    # -- frontend --
    def frontend_config():
        d = fe()
        conf = config_of(docs, d, "strata-frontend-config")
        container = containers(d)[0]
        # Every replica by its own name (metad-N.<serviceName>) on the cluster port, so that the
        # frontend's client spreads calls and fails over itself; a ClusterIP Service would pin
        # each frontend's HTTP/2 connection to one pod.
        s = md()
        grpc = named_port(containers(s)[0], "grpc")
        headless = one(docs, "Service", s["spec"]["serviceName"])
        if headless["spec"].get("clusterIP") != "None":
            return f"serviceName {s['spec']['serviceName']} is not headless (no per-pod names)"
        want = [f"http://{s['metadata']['name']}-{i}.{s['spec']['serviceName']}:{grpc}"
                for i in range(s["spec"]["replicas"])]
        got = [u.rstrip("/") for u in conf["frontend"]["metad"]]
        if sorted(got) != sorted(want):
            return f"[frontend] metad {got}, want one URL per metad replica {want}"
        if listen_port(conf["imap"]["listen"]) != named_port(container, "imap"):
            return "[imap] listen is not the imap container port"
        if listen_port(conf["imap"]["listen_tls"]) != named_port(container, "imaps"):
            return "[imap] listen_tls is not the imaps container port"
        probe = named_port(container, container["readinessProbe"]["httpGet"]["port"])
        if listen_port(conf["frontend"]["health_listen"]) != probe:
            return "health_listen is not the probe port"
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        vols = {v["name"]: v for v in pod_spec(d)["volumes"]}
        for key in ("cert", "key"):
            p = conf["tls"][key]
            directory, file = p.rsplit("/", 1)
            vol = vols[mounts[directory]]
            if file not in ("tls.crt", "tls.key") or "secret" not in vol:
                return f"[tls] {key} {p} is not a kubernetes.io/tls Secret's file"
        return None
    c("frontend.toml: one metad URL per StatefulSet replica (metad-N.metad on the grpc port), "
      "IMAP/health ports and TLS paths match the pod", frontend_config)

    # -- probes --
    def probes():
        for w in (fe(), md()):
            for ct in containers(w):
                for kind, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                    get = (ct.get(kind) or {}).get("httpGet")
                    if not get:
                        return f"{w['metadata']['name']}/{ct['name']} has no {kind} httpGet"
                    if get["path"] != path or named_port(ct, get["port"]) != 8080:
                        return f"{w['metadata']['name']} {kind} is {get['path']} on {get['port']}"
        return None
    c("frontend and metad: liveness GET /healthz and readiness GET /readyz on 8080", probes)

    # -- HPA and PDBs --
    def hpa():
        h = one(docs, "HorizontalPodAutoscaler", "frontend")
        ref = h["spec"]["scaleTargetRef"]
        if (ref["kind"], ref["name"]) != ("Deployment", "frontend"):
            return f"targets {ref['kind']}/{ref['name']}"
        lo, hi = h["spec"]["minReplicas"], h["spec"]["maxReplicas"]
        if not 1 <= lo <= hi:
            return f"minReplicas {lo}, maxReplicas {hi}"
        if not any(m["type"] == "Resource" and m["resource"]["name"] == "cpu"
                   for m in h["spec"]["metrics"]):
            return "no CPU metric"
        replicas = fe()["spec"].get("replicas")
        if replicas is not None and replicas != lo:
            return f"Deployment replicas {replicas} != HPA minReplicas {lo}"
        return None
    c("HPA scales Deployment frontend on CPU; Deployment replicas == minReplicas", hpa)

    def pdbs():
        f = one(docs, "PodDisruptionBudget", "frontend")["spec"]
        m = one(docs, "PodDisruptionBudget", "metad")["spec"]
        if not matches(f["selector"], pod_labels(fe())) or matches(f["selector"], pod_labels(md())):
            return "PDB frontend does not select exactly the frontend pods"
        if not matches(m["selector"], pod_labels(md())) or matches(m["selector"], pod_labels(fe())):
            return "PDB metad does not select exactly the metad pods"
        if f.get("minAvailable") is None or int(f["minAvailable"]) < 1:
            return "PDB frontend has no minAvailable >= 1"
        if m.get("maxUnavailable") != 1:
            return f"PDB metad maxUnavailable {m.get('maxUnavailable')}, want 1 (quorum of 3)"
        return None
    c("PDBs: frontend minAvailable >= 1, metad maxUnavailable 1, each selecting its pods", pdbs)

    # -- NetworkPolicies --
    pols = lambda: find(docs, "NetworkPolicy")  # noqa: E731
    fel, mdl = lambda: pod_labels(fe()), lambda: pod_labels(md())  # noqa: E731

    def netpol_cover():
        for labels, what in ((fel(), "frontend"), (mdl(), "metad")):
            for direction in ("Ingress", "Egress"):
                if not any(matches(p["spec"]["podSelector"], labels)
                           and direction in p["spec"].get("policyTypes", []) for p in pols()):
                    return f"no {direction} NetworkPolicy selects the {what} pods"
        return None
    c("NetworkPolicies isolate frontend and metad pods, ingress and egress", netpol_cover)

    def netpol_flows():
        p = pols()
        mdn, fen = port_names(md()), port_names(fe())

        def to_fe(other, port):
            return allowed(p, "Ingress", fel(), other, port, names=fen)

        def to_md(other, port):
            return allowed(p, "Ingress", mdl(), other, port, names=mdn)

        def out_to_md(pod, port):
            return allowed(p, "Egress", pod, mdl(), port, names=mdn)

        want = [
            ("internet → frontend 143", to_fe(None, 143), True),
            ("internet → frontend 993", to_fe(None, 993), True),
            ("namespace pod → frontend 8080", to_fe(OTHER, 8080), True),
            ("internet → frontend 8080", to_fe(None, 8080), False),
            ("frontend → metad 7500 (egress)", out_to_md(fel(), 7500), True),
            ("frontend → metad 7500 (ingress)", to_md(fel(), 7500), True),
            ("metad → metad 7500 (egress)", out_to_md(mdl(), 7500), True),
            ("metad → metad 7500 (ingress)", to_md(mdl(), 7500), True),
            ("admin pod → metad 7500", to_md(ADMIN, 7500), False),
            ("other pod → metad 7500", to_md(OTHER, 7500), False),
            ("internet → metad 7500", to_md(None, 7500), False),
            ("namespace pod → metad 8080", to_md(OTHER, 8080), True),
            ("metad → PostgreSQL 5432", allowed(p, "Egress", mdl(), None, 5432), True),
            ("frontend → PostgreSQL 5432", allowed(p, "Egress", fel(), None, 5432), False),
        ]
        for who in (("frontend", fel()), ("metad", mdl())):
            for port in (443, 80, 9000):
                want.append((f"{who[0]} → S3 {port}",
                             allowed(p, "Egress", who[1], None, port), True))
            for proto in ("UDP", "TCP"):
                want.append((f"{who[0]} → DNS 53/{proto}",
                             allowed(p, "Egress", who[1], None, 53, proto), True))
            want.append((f"{who[0]} → elsewhere 25", allowed(p, "Egress", who[1], None, 25), False))
        wrong = [f"{what}: {'allowed' if got else 'denied'}"
                 for what, got, expect in want if got != expect]
        return "; ".join(wrong) if wrong else None
    c("NetworkPolicies allow IMAP in, frontend/metad → metad 7500, PostgreSQL, S3 and DNS "
      "out, and nothing else tried", netpol_flows)

    def netpol_admin():
        p, m = pols(), mdl()
        names = port_names(md())
        admin, grpc = names["admin"], names["grpc"]
        want = [
            (f"admin pod → metad {admin}", ADMIN, admin, True),
            (f"admin pod (name=strata) → metad {admin}", ADMIN_STRATA, admin, True),
            (f"admin pod → metad {grpc}", ADMIN, grpc, False),
            (f"admin pod (name=strata) → metad {grpc}", ADMIN_STRATA, grpc, False),
            (f"frontend → metad {admin}", fel(), admin, False),
            (f"metad → metad {admin}", m, admin, False),
            (f"other pod → metad {admin}", OTHER, admin, False),
            (f"internet → metad {admin}", None, admin, False),
        ]
        wrong = [f"{what}: {'allowed' if got else 'denied'}" for what, got, expect in
                 ((w, allowed(p, "Ingress", m, who, port, names=names), e)
                  for w, who, port, e in want) if got != expect]
        if allowed(p, "Egress", fel(), m, admin, names=names):
            wrong.append(f"frontend → metad {admin} (egress): allowed")
        return "; ".join(wrong) if wrong else None
    c("NetworkPolicies: metad's admin port only from admin-labelled pods, which get no "
      "cluster port", netpol_admin)

    # -- security --
    def security():
        for w in (fe(), md()):
            ps = pod_spec(w)
            psc = ps.get("securityContext", {})
            for ct in ps["containers"]:
                sc = ct.get("securityContext", {})
                who = f"{w['metadata']['name']}/{ct['name']}"
                if not (sc.get("runAsNonRoot") or psc.get("runAsNonRoot")):
                    return f"{who} may run as root"
                if sc.get("readOnlyRootFilesystem") is not True:
                    return f"{who} has a writable root filesystem"
                if sc.get("allowPrivilegeEscalation") is not False:
                    return f"{who} allows privilege escalation"
                if "ALL" not in (sc.get("capabilities") or {}).get("drop", []):
                    return f"{who} does not drop ALL capabilities"
                if (sc.get("capabilities") or {}).get("add"):
                    return f"{who} adds capabilities"
                low = [p["containerPort"] for p in ct.get("ports", []) if p["containerPort"] < 1024]
                if low:
                    sysctls = {s["name"]: int(s["value"]) for s in psc.get("sysctls", [])}
                    start = sysctls.get("net.ipv4.ip_unprivileged_port_start", 1024)
                    if start > min(low):
                        return f"{who} binds {low} as non-root without ip_unprivileged_port_start"
            if ps.get("automountServiceAccountToken") is not False:
                return f"{w['metadata']['name']} mounts a service account token it does not need"
        return None
    c("pods: non-root, read-only root, no privilege escalation, ALL capabilities dropped, "
      "low ports via sysctl", security)

    def references():
        for w in (fe(), md()):
            refs = []
            for v in pod_spec(w).get("volumes", []):
                if "configMap" in v:
                    refs.append(("ConfigMap", v["configMap"]["name"]))
                if "secret" in v:
                    refs.append(("Secret", v["secret"]["secretName"]))
            for ct in containers(w):
                refs += env_sources(ct)
            for ref in refs:
                kind, name = ref[0], ref[1]
                if kind == "Secret" and name in EXTERNAL_SECRETS:
                    continue
                objs = find(docs, kind, name)
                if len(objs) != 1:
                    return f"{w['metadata']['name']} refers to {kind} {name}, not rendered"
                if len(ref) == 3:
                    data = objs[0].get("data", {}) | objs[0].get("stringData", {})
                    if ref[2] not in data:
                        return f"{kind} {name} has no key {ref[2]}"
        return None
    c(f"every ConfigMap/Secret a pod uses is rendered, with its keys (external: "
      f"{', '.join(sorted(EXTERNAL_SECRETS))})", references)

    def images():
        bad = [ct["image"] for w in (fe(), md()) for ct in containers(w)
               if not ct.get("image")]
        return f"containers without an image: {bad}" if bad else None
    c("every container has an image", images)

    return ck


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ck = run(sys.argv[1], sys.argv[2])
    sys.exit(1 if ck.failed else 0)


if __name__ == "__main__":
    main()
