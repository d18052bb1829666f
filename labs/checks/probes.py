"""Live probes: the only checks that change anything (a request to an API stage, a function invocation)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import secrets

from . import CheckError, Context

# Texts the grader sends to learners' functions and APIs: never the instructions' examples, one picked per run,
# each with a mark that finds the Bedrock call it caused in the ledger.
SAMPLE_TEXTS = (
    "A represa de Itaipu, no rio Paraná, gera energia para o Brasil e o Paraguai. Ela foi inaugurada em 1984 e por "
    "décadas foi a maior geradora de eletricidade do mundo. Hoje divide o posto com a usina de Três Gargantas.",
    "O cerrado é a savana mais biodiversa do planeta e ocupa cerca de um quarto do território brasileiro. Suas "
    "nascentes alimentam grandes bacias, mas o desmatamento para a agricultura ameaça o bioma.",
    "Cooperativas de crédito são instituições financeiras formadas por associados, que são ao mesmo tempo donos e "
    "clientes. As sobras do ano podem ser divididas entre eles, de acordo com o que cada um movimentou.",
    "O Pix, lançado pelo Banco Central em 2020, permite transferências instantâneas a qualquer hora. Em poucos anos "
    "passou a ser o meio de pagamento mais usado do país, à frente do cartão de débito e do boleto.",
)


def sample_text() -> tuple[str, str]:
    """(text, mark): one of the grader's texts, ending with a mark no other request carries."""
    mark = f"ref-{secrets.token_hex(3)}"
    return f"{secrets.choice(SAMPLE_TEXTS)} ({mark})", mark


def http(ctx: Context, method: str, url: str, body=None, headers: dict | None = None) -> dict:
    """{"status", "headers", "body" (parsed JSON when it is JSON), "text"}; HTTP errors are answers, not raised."""
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=ctx.timeout) as response:
            status, head, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, dict(exc.headers or {}), exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise CheckError(f"{method} {url} could not be sent: {exc}") from None
    text = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return {"status": status, "headers": head, "body": parsed, "text": text}
