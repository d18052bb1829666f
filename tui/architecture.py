"""What the learner built, drawn as the reference GenAI app's path (no Textual): API Gateway → Lambda → Bedrock →
S3, each tier with its resources and their state, then the key and the monitoring beside them.

:func:`gather` reads the local cloud (blocking: call it from a worker); :func:`draw` turns the tiers into a small
diagram of boxes and arrows for the Explorer. ``expected`` names what the lab and its prerequisites ask for (the
manifests' ``[resources]`` and ``[deploy]``), so a missing part shows as still to build rather than not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text

from .i18n import money, t

STYLES = {"ok": "bold green", "todo": "dim", "alarm": "bold red", "info": ""}
ICONS = {"ok": "✓", "todo": "·", "alarm": "!", "info": " "}
TIERS = ("apigw", "lambda", "bedrock", "s3")


@dataclass
class Tier:
    key: str  # apigw | lambda | bedrock | s3 | extra
    items: list[tuple[str, str]] = field(default_factory=list)  # (ok | todo | alarm | info, text)


def expected_for(lab, labs: list) -> dict[str, list[str]]:
    """The resources ``lab`` and its prerequisites name, by kind (``buckets``, ``functions``, ``rest_apis``…)."""
    by_id = {other.id: other for other in labs}
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    todo = [lab]
    while todo:
        current = todo.pop()
        if current is None or current.id in seen:
            continue
        seen.add(current.id)
        for kind, names in (current.resources or {}).items():
            out.setdefault(kind, [])
            out[kind] += [name for name in names if name not in out[kind]]
        deploy = getattr(current, "deploy", None)
        if deploy is not None and getattr(deploy, "function_name", None):
            out.setdefault("functions", [])
            if deploy.function_name not in out["functions"]:
                out["functions"].append(deploy.function_name)
        todo += [by_id.get(pid) for pid in current.prerequisites]
    return out


def _mark(items: list, names: list[str], present: set[str]) -> None:
    for name in names:
        if name not in present:
            items.append(("todo", t("arch.to_build", name=name)))


def gather(endpoint: str, expected: dict[str, list[str]] | None = None) -> list[Tier]:
    """Each tier's resources and state, read from the local cloud."""
    from .cloudops import admin, client

    expected = expected or {}
    tiers = {key: Tier(key) for key in (*TIERS, "extra")}

    apigw = client(endpoint, "apigateway")
    names = set()
    for api in apigw.get_rest_apis().get("items", []):
        names.add(api["name"])
        stages = [s["stageName"] for s in apigw.get_stages(restApiId=api["id"]).get("item", [])]
        state = "ok" if stages else "todo"
        text = f"{api['name']} · " + (", ".join(stages) if stages else t("arch.no_stage"))
        tiers["apigw"].items.append((state, text))
    _mark(tiers["apigw"].items, expected.get("rest_apis", []), names)

    lam = client(endpoint, "lambda")
    names = set()
    for fn in lam.list_functions().get("Functions", []):
        names.add(fn["FunctionName"])
        role = fn.get("Role", "").rsplit("/", 1)[-1]
        tiers["lambda"].items.append(("ok", f"{fn['FunctionName']} · {fn.get('Runtime', '—')}"))
        if role:
            tiers["lambda"].items.append(("info", t("arch.role", role=role)))
    _mark(tiers["lambda"].items, expected.get("functions", []), names)

    records = admin(endpoint, "/_gailab/bedrock/invocations", timeout=10).get("invocations", [])
    mine = [r for r in records if r.get("client") != "gailab-playground"]
    playground = len(records) - len(mine)
    if mine:
        cost = sum(float(r.get("costUsd") or 0) for r in mine)
        models = sorted({r.get("modelId") or "—" for r in mine})
        tiers["bedrock"].items.append(("ok", t("arch.calls", n=len(mine), cost=money(cost))))
        tiers["bedrock"].items += [("info", model) for model in models[:3]]
        if len(models) > 3:
            tiers["bedrock"].items.append(("info", t("arch.more", n=len(models) - 3)))
    else:
        tiers["bedrock"].items.append(("todo", t("arch.no_calls")))
    if playground:
        tiers["bedrock"].items.append(("info", t("arch.playground", n=playground)))
    guardrails = client(endpoint, "bedrock").list_guardrails().get("guardrails", [])
    if guardrails:
        tiers["bedrock"].items.append(("ok", t("arch.guardrails", n=len(guardrails))))

    s3 = client(endpoint, "s3")
    names = set()
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        names.add(name)
        facts = []
        if s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled":
            facts.append(t("arch.versioned"))
        try:
            rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
            algorithm = rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
            facts.append("SSE-KMS" if algorithm.startswith("aws:kms") else "SSE-S3")
        except Exception:
            pass
        count = s3.list_objects_v2(Bucket=name, MaxKeys=1000).get("KeyCount", 0)
        facts.append(t("arch.objects", n=count))
        tiers["s3"].items.append(("ok", f"{name} · " + ", ".join(facts)))
    _mark(tiers["s3"].items, expected.get("buckets", []), names)

    kms = client(endpoint, "kms")
    aliases = [a["AliasName"] for a in kms.list_aliases().get("Aliases", [])
               if not a["AliasName"].startswith("alias/aws/") and a.get("TargetKeyId")]
    for alias in aliases:
        tiers["extra"].items.append(("ok", f"KMS {alias}"))
    _mark(tiers["extra"].items, expected.get("kms_aliases", []), set(aliases))
    cw = client(endpoint, "cloudwatch")
    alarms = cw.describe_alarms().get("MetricAlarms", [])
    for alarm in alarms:
        state = alarm["StateValue"]
        tiers["extra"].items.append(("alarm" if state == "ALARM" else "ok", f"{alarm['AlarmName']} [{state}]"))
    _mark(tiers["extra"].items, expected.get("alarms", []), {a["AlarmName"] for a in alarms})
    logs = client(endpoint, "logs").describe_log_groups().get("logGroups", [])
    if logs:
        tiers["extra"].items.append(("info", t("arch.log_groups", n=len(logs))))
    return [tiers[key] for key in (*TIERS, "extra")]


ARROWS = {"apigw": "arch.arrow_invoke", "lambda": "arch.arrow_model", "bedrock": "arch.arrow_store"}


def draw(tiers: list[Tier], width: int = 40) -> Text:
    """Boxes joined by arrows, one per tier; the extra tier (key, alarms, logs) as lines under them."""
    width = max(24, min(width, 60))
    inner = width - 4
    text = Text()
    text.append(t("arch.client") + "\n", style="dim")
    text.append("   │\n   ▼\n", style="dim")
    main = [tier for tier in tiers if tier.key in TIERS]
    for index, tier in enumerate(main):
        title = f" {t('arch.' + tier.key)} "
        done = any(state == "ok" for state, _ in tier.items)
        edge = "green" if done else "dim"
        text.append("┌" + title + "─" * max(0, width - 2 - len(title)) + "┐\n", style=edge)
        items = tier.items or [("todo", t("arch.nothing"))]
        for state, line in items:
            body = f"{ICONS[state]} {line}"
            for start in range(0, len(body), inner):
                piece = body[start:start + inner]
                text.append("│ ", style=edge)
                text.append(piece.ljust(inner), style=STYLES[state])
                text.append(" │\n", style=edge)
        text.append("└" + "─" * (width - 2) + "┘\n", style=edge)
        if index < len(main) - 1:
            label = t(ARROWS[tier.key])
            if len(label) > width - 5:
                label = label[:width - 6] + "…"
            text.append("   │ ", style="dim")
            text.append(label + "\n", style="italic dim")
            text.append("   ▼\n", style="dim")
    extra = next((tier for tier in tiers if tier.key == "extra"), None)
    if extra is not None and extra.items:
        text.append("\n" + t("arch.extra") + "\n", style="bold")
        for state, line in extra.items:
            text.append(f"{ICONS[state]} {line}\n", style=STYLES[state])
    return text
