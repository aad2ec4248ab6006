#!/usr/bin/env python3
"""Writes a Kubernetes audit log (audit.k8s.io/v1 Event JSON Lines, as the API server writes
them) of N requests to stdout, deterministically: configmaps, secrets and deployments created,
patched, updated and deleted with their objects at the RequestResponse level; gets, lists and
watches at the Metadata level; some refused or failed; one request in five logged in two
stages (RequestReceived, then ResponseComplete).

    python3 benches/gen_k8s.py 1000000 > k8s-audit.log
"""

import json
import random
import sys
from collections import deque
from datetime import datetime, timedelta, timezone

USERS = [
    ("alice", ["system:authenticated", "dev"]),
    ("bob", ["system:authenticated", "ops"]),
    ("carol", ["system:authenticated", "ops"]),
    ("system:serviceaccount:kube-system:deployment-controller", ["system:serviceaccounts"]),
    ("system:serviceaccount:argocd:argocd-application-controller", ["system:serviceaccounts"]),
    ("system:kube-scheduler", ["system:authenticated"]),
]
AGENTS = [
    "kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc",
    "argocd-application-controller/v2.12.3",
    "kube-controller-manager/v1.31.0 (linux/amd64) kubernetes/9edcffc/system:serviceaccount:kube-system:deployment-controller",
]
NAMESPACES = ["default", "prod", "staging", "payments", "ingress", "monitoring"]
KINDS = {
    "configmaps": ("v1", "ConfigMap"),
    "secrets": ("v1", "Secret"),
    "deployments": ("apps/v1", "Deployment"),
}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(1)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    objects = {}  # (resource, ns, name) -> object
    recent = deque(maxlen=300)  # keys of objects created lately, to change or delete
    version = 1000
    out = sys.stdout
    dumps = json.JSONEncoder(separators=(",", ":")).encode

    def body(resource, ns, name, uid, rv, gen):
        api, kind = KINDS[resource]
        meta = {
            "name": name,
            "namespace": ns,
            "uid": uid,
            "resourceVersion": str(rv),
            "creationTimestamp": "2026-10-01T00:00:00Z",
            "labels": {"app": name.split("-")[0], "team": rng.choice(["web", "data", "core"])},
        }
        if resource == "configmaps":
            obj = {"data": {"mode": rng.choice(["fast", "safe", "debug"]), "level": str(rng.randint(1, 9)),
                            "endpoint": f"https://{name}.{ns}.svc:8443"}}
        elif resource == "secrets":
            obj = {"type": "Opaque", "data": {"password": "c2VjcmV0" + str(rng.randint(0, 999)), "user": "YWRtaW4="}}
        else:
            meta["generation"] = gen
            obj = {"spec": {"replicas": rng.randint(1, 6), "selector": {"matchLabels": {"app": name}},
                            "template": {"spec": {"containers": [{"name": "app", "image": f"registry.example.org/{name}:1.{rng.randint(0, 40)}"}]}}}}
        return {"kind": kind, "apiVersion": api, "metadata": meta, **obj}

    for i in range(n):
        t = start + timedelta(milliseconds=i * 250 + rng.randint(0, 200))
        user, groups = rng.choice(USERS)
        roll = rng.random()
        resource = rng.choice(list(KINDS))
        ns = rng.choice(NAMESPACES)
        known = [k for k in recent if k[0] == resource and k in objects]
        level, req, resp = "Metadata", None, None
        code = 200
        if roll < 0.40:
            verb = rng.choice(["get", "list", "watch"])
        elif roll < 0.70:
            verb = rng.choice(["patch", "update"])
        elif roll < 0.85:
            verb = "create"
        else:
            verb = "delete"
        if verb in ("patch", "update", "delete") and not known:
            verb = "create"
        if verb in ("get", "watch", "list"):
            name = rng.choice(known)[2] if known and verb == "get" else None
            if verb == "get" and rng.random() < 0.05:
                code = 404
        elif verb == "create":
            name = f"{rng.choice(['api', 'web', 'worker', 'cache', 'billing'])}-{i}"
            version += 1
            level = "RequestResponse"
            obj = body(resource, ns, name, f"uid-{i}", version, 1)
            if rng.random() < 0.03:
                code = 409
            else:
                objects[(resource, ns, name)] = obj
                recent.append((resource, ns, name))
                code = 201
            req, resp = obj, obj if code == 201 else None
        else:
            key = rng.choice(known)
            resource, ns, name = key
            level = "RequestResponse"
            if rng.random() < 0.04:
                code = 403
            elif verb == "delete":
                del objects[key]
                resp = {"kind": "Status", "apiVersion": "v1", "status": "Success"}
            else:
                version += 1
                old = objects[key]
                new = body(resource, ns, name, old["metadata"]["uid"], version,
                           old["metadata"].get("generation", 1) + 1)
                objects[key] = new
                req = {"data": new.get("data")} if verb == "patch" else new
                resp = new
        path = f"/api/v1/namespaces/{ns}/{resource}" + (f"/{name}" if name else "")
        event = {
            "kind": "Event",
            "apiVersion": "audit.k8s.io/v1",
            "level": level,
            "auditID": f"{rng.getrandbits(32):08x}-{i:04x}-4000-8000-{rng.getrandbits(48):012x}",
            "stage": "ResponseComplete",
            "requestURI": path,
            "verb": verb,
            "user": {"username": user, "groups": groups},
            "sourceIPs": [f"10.{i % 7}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"],
            "userAgent": rng.choice(AGENTS),
            "objectRef": {"resource": resource, "namespace": ns, "apiVersion": KINDS[resource][0]},
            "responseStatus": {"metadata": {}, "code": code},
            "requestReceivedTimestamp": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "stageTimestamp": (t + timedelta(milliseconds=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "annotations": {"authorization.k8s.io/decision": "allow" if code != 403 else "forbid",
                            "authorization.k8s.io/reason": "RBAC: allowed by ClusterRoleBinding \"ops\""},
        }
        if name:
            event["objectRef"]["name"] = name
        if level == "RequestResponse":
            if req is not None:
                event["requestObject"] = req
            if resp is not None:
                event["responseObject"] = resp
        if rng.random() < 0.2:
            first = dict(event, stage="RequestReceived", stageTimestamp=event["requestReceivedTimestamp"])
            for k in ("responseStatus", "responseObject", "annotations"):
                first.pop(k, None)
            out.write(dumps(first) + "\n")
        out.write(dumps(event) + "\n")


if __name__ == "__main__":
    main()
