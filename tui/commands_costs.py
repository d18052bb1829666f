"""``gailab costs``: what everything used in the local cloud would cost on AWS (the cloud's ``/_gailab/costs``)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

FIELDS = ("service", "item", "quantity", "unit", "unitPriceUsd", "costUsd", "source", "start", "end")
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TEXT = {
    "en": {"title": "What the local cloud's usage would cost on AWS", "since": "since", "ever": "since the cloud started",
           "quantity": "quantity", "unit": "unit", "price": "unit price", "cost": "cost (USD)", "total": "Total",
           "none": "Nothing billable used yet.", "sources": "Prices from"},
    "pt-BR": {"title": "Quanto o uso da nuvem local custaria na AWS", "since": "desde", "ever": "desde o início da nuvem",
              "quantity": "quantidade", "unit": "unidade", "price": "preço unitário", "cost": "custo (USD)",
              "total": "Total", "none": "Nada cobrável usado até agora.", "sources": "Preços de"},
}


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "costs", parents=[common], help="what your use of the local cloud would cost on AWS",
        description="Add up what everything used in the local cloud would cost on AWS: Bedrock tokens per model "
                    "(on-demand and batch), provisioned throughput hours, custom model storage, SageMaker instance "
                    "hours, Lambda, KMS. Prices come from AWS's public price lists (each line names its source).",
    )
    p.add_argument("--since", metavar="WHEN",
                   help="only usage after WHEN: an ISO 8601 time (2026-03-01T09:00:00Z), Unix seconds, or a "
                        "duration back from now (30m, 2h, 7d)")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("--output", metavar="FILE", help="write there instead of stdout")
    p.add_argument("--endpoint", metavar="URL",
                   help="the cloud (default: GAILAB_ENDPOINT, the running gailab serve, AWS_ENDPOINT_URL, :4566)")
    p.add_argument("--lang", choices=["en", "pt-BR"], default=argparse.SUPPRESS,
                   help="language of the text report (default from LC_ALL/LANG)")
    p.set_defaults(func=cmd_costs)


def since_seconds(value: str | None, now: float | None = None) -> float | None:
    """--since as Unix seconds; raises ValueError with a readable message."""
    if value is None:
        return None
    now = time.time() if now is None else now
    relative = _RELATIVE.match(value.strip())
    if relative:
        return now - float(relative.group(1)) * _SECONDS[relative.group(2)]
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since {value!r} is not a time: use 2026-03-01T09:00:00Z, Unix seconds or 30m/2h/7d") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def fetch(endpoint: str, since: float | None) -> dict:
    url = f"{endpoint}/_gailab/costs"
    if since is not None:
        url += "?" + urllib.parse.urlencode({"since": f"{since:.3f}"})
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.loads(reply.read())


#: How the report's units and item words read in pt-BR (as AWS's Brazilian pricing pages write them).
_PT = {
    "(on-demand)": "(sob demanda)", "(batch)": "(em lote)", "input tokens": "tokens de entrada",
    "output tokens": "tokens de saída", "images": "imagens", "API requests": "solicitações de API",
    "requests": "solicitações", "compute": "computação", "key-months": "chave-mês", "GB-seconds": "GB-segundo",
    "key ": "chave ", "tokens": "tokens", "model-unit-hours": "unidade de modelo-hora",
    "model-months": "modelo-mês", "instance-hours": "instância-hora", "hours": "horas",
    "provisioned throughput": "throughput provisionado", "custom model storage": "armazenamento de modelo personalizado",
    "training tokens": "tokens de treinamento",
}


def _words(text: str, lang: str) -> str:
    if lang != "pt-BR":
        return text
    for en, pt in sorted(_PT.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(en, pt)
    return text


def _local(text: str, lang: str) -> str:
    """Swap separators for pt-BR: 1.234,56."""
    if lang == "pt-BR":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _money(value: float, lang: str, digits: int = 6) -> str:
    return _local(f"{value:,.{digits}f}", lang)


def _number(value: float, lang: str) -> str:
    """Quantities: whole numbers with thousands separators, fractions with up to 8 decimals."""
    if float(value).is_integer():
        return _local(f"{value:,.0f}", lang)
    text = f"{value:,.8f}".rstrip("0")
    return _local(text + ("0" if text.endswith(".") else ""), lang)


def _price(value: float, lang: str) -> str:
    text = f"{value:.10f}".rstrip("0")
    return _local(text + ("00" if text.endswith(".") else ""), lang)


def render_text(report: dict, lang: str, since: str | None) -> str:
    words = _TEXT[lang]
    lines = report.get("lines") or []
    head = f"{words['title']} ({words['since']} {since})" if since else f"{words['title']} ({words['ever']})"
    out = [head, ""]
    if not lines:
        return "\n".join(out + [words["none"]]) + "\n"
    width = max(40, *(len(_words(line["item"], lang)) + 2 for line in lines))
    out.append(f"{'':<{width}} {words['quantity']:>16} {words['unit']:<14} {words['price']:>14} {words['cost']:>14}")
    for service in sorted({line["service"] for line in lines}):
        mine = [line for line in lines if line["service"] == service]
        out.append(f"{service}  ({_money(sum(l['costUsd'] for l in mine), lang)} USD)")
        for line in mine:
            out.append(f"  {_words(line['item'], lang):<{width - 2}} {_number(line['quantity'], lang):>16} "
                       f"{_words(line['unit'], lang):<14} {_price(line['unitPriceUsd'], lang):>14} "
                       f"{_money(line['costUsd'], lang, 8):>14}")
    out.append("")
    out.append(f"{words['total']:<{width}} {'':>16} {'':<14} {'':>14} {_money(report.get('totalUsd', 0.0), lang):>14} USD")
    sources = sorted({line["source"] for line in lines if line.get("source")})
    out.append(f"{words['sources']}: {', '.join(sources)}")
    return "\n".join(out) + "\n"


def render_csv(report: dict) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(FIELDS), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(report.get("lines") or [])
    return buffer.getvalue()


def cmd_costs(args) -> int:
    from .commands_labs import _lang, _reachable_endpoint
    from .errors import CliError, UsageError

    try:
        since = since_seconds(args.since)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    endpoint = _reachable_endpoint(args)
    try:
        report = fetch(endpoint, since)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CliError("cloud.no_costs", 3, endpoint=endpoint, detail=exc) from None
    if args.format == "json":
        body = json.dumps(report, indent=2) + "\n"
    elif args.format == "csv":
        body = render_csv(report)
    else:
        body = render_text(report, _lang(args), args.since)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(body)
    else:
        sys.stdout.write(body)
    return 0
