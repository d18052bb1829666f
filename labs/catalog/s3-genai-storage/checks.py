"""Checks of s3-genai-storage: the key, the bucket's encryption, versioning, public access and the template."""

import json

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import kms, s3

BUCKET = "genai-outputs"
ALIAS = "alias/genai-lab"
TEMPLATE = "prompts/summary.txt"
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")  # SSE-KMS, and DSSE-KMS (two layers) with the same key
SAMPLE = "\u2063gailab-sample\u2063"  # what the grader puts in the placeholder: text no template contains


@check("kms-alias")
def kms_alias(ctx):
    target = kms.alias_target(ctx, ALIAS)
    if target is None:
        return Fail(T(f"there is no KMS alias {ALIAS}", f"não existe o alias KMS {ALIAS}"), expected=ALIAS,
                    actual=[a["AliasName"] for a in kms.aliases(ctx) if not a["AliasName"].startswith("alias/aws/")])
    meta = kms.describe(ctx, target)
    if meta is None or meta.get("KeyState") != "Enabled":
        return Fail(T(f"{ALIAS} points to a key that is not enabled", f"{ALIAS} aponta para uma chave que não está "
                      "ativada"), expected="Enabled", actual=meta and meta.get("KeyState"))
    if kms.key_manager(ctx, target) != "CUSTOMER":
        return Fail(T(f"{ALIAS} must point to a customer managed key", f"{ALIAS} deve apontar para uma chave "
                      "gerenciada pelo cliente"), expected="KeyManager CUSTOMER", actual="KeyManager AWS")
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
    return expect(kms.is_symmetric_encryption_key(meta),
                  T(f"{ALIAS} points to a {spec} key: S3 encrypts only with symmetric encryption keys",
                    f"{ALIAS} aponta para uma chave {spec}: o S3 só criptografa com chaves de criptografia "
                    "simétricas"),
                  expected="KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT",
                  actual=f"KeySpec {spec}, KeyUsage {meta.get('KeyUsage') or 'ENCRYPT_DECRYPT'}",
                  hint=T("Create another key with the defaults (aws kms create-key) and point the alias at it: "
                         "aws kms update-alias --alias-name alias/genai-lab --target-key-id <KeyId>.",
                         "Crie outra chave com os padrões (aws kms create-key) e aponte o alias para ela: "
                         "aws kms update-alias --alias-name alias/genai-lab --target-key-id <KeyId>."))


@check("bucket-exists")
def bucket_exists(ctx):
    if s3.bucket_exists(ctx, BUCKET):
        return Pass(actual=BUCKET)
    return Fail(T(f"bucket {BUCKET} does not exist", f"o bucket {BUCKET} não existe"), expected=BUCKET, actual=None)


@check("bucket-sse-kms")
def bucket_sse_kms(ctx):
    rule = s3.default_encryption(ctx, BUCKET)
    algorithm = rule.get("SSEAlgorithm") if rule else None
    return expect(algorithm in KMS_ALGORITHMS,
                  T("default encryption must be SSE-KMS (aws:kms)", "a criptografia padrão deve ser SSE-KMS (aws:kms)"),
                  expected="SSEAlgorithm aws:kms", actual=f"SSEAlgorithm {algorithm or 'AES256'}")


def _same_key(ctx, key_ref: str | None) -> bool:
    wanted = kms.alias_target(ctx, ALIAS)
    return bool(key_ref and wanted) and kms.same_key(ctx, key_ref, wanted)


@check("bucket-kms-key")
def bucket_kms_key(ctx):
    rule = s3.default_encryption(ctx, BUCKET) or {}
    key_ref = rule.get("KMSMasterKeyID")
    if not key_ref:
        return Fail(T("SSE-KMS without a key id uses the AWS managed key aws/s3",
                      "SSE-KMS sem id de chave usa a chave gerenciada pela AWS aws/s3"),
                    expected=ALIAS, actual="alias/aws/s3")
    if _same_key(ctx, key_ref):
        return Pass(actual=key_ref)
    meta = kms.describe(ctx, key_ref)
    if meta is None:
        return Fail(T(f"the bucket names a KMS key that does not exist: {key_ref}",
                      f"o bucket indica uma chave KMS que não existe: {key_ref}"), expected=ALIAS, actual=key_ref)
    names = [n for n in kms.aliases_of(ctx, meta["KeyId"]) if n != key_ref]
    return Fail(T("the bucket is encrypted with another key", "o bucket está criptografado com outra chave"),
                expected=ALIAS, actual=f"{key_ref}" + (f" ({', '.join(names)})" if names else ""))


@check("bucket-versioning")
def bucket_versioning(ctx):
    status = s3.versioning(ctx, BUCKET)
    if status == "Suspended":
        return Fail(T("versioning is suspended: new writes keep no versions",
                      "o bucket está com versionamento suspenso: novas gravações não guardam versões"),
                    expected="Enabled", actual=status)
    return expect(status == "Enabled", T("versioning must be enabled", "o versionamento deve estar ativado"),
                  expected="Enabled", actual=status)


@check("public-access-block")
def public_access_block(ctx):
    flags = s3.public_access_block(ctx, BUCKET)
    off = [name for name, on in flags.items() if not on]
    return expect(not off, T(f"Block Public Access settings off: {', '.join(off)}",
                             f"configurações do Bloqueio de Acesso Público desativadas: {', '.join(off)}"),
                  expected={name: True for name in flags}, actual=flags)


def template_problem(text: str) -> T | None:
    """Why ``text.format(texto=…, text=…)`` — exactly what the Lambda labs run — does not fill the template."""
    if not text.strip():
        return T(f"{TEMPLATE} is empty", f"{TEMPLATE} está vazio")
    try:
        filled = text.format(texto=SAMPLE, text=SAMPLE)
    except KeyError as exc:
        name = str(exc.args[0]) if exc.args else "?"
        return T(f"str.format stops at {{{name}}}: it is not {{texto}} or {{text}}; write a literal brace twice "
                 f"({{{{ and }}}}), e.g. in a JSON example",
                 f"o str.format para em {{{name}}}: não é {{texto}} nem {{text}}; escreva uma chave literal duas "
                 f"vezes ({{{{ e }}}}), por exemplo num exemplo de JSON")
    except (ValueError, IndexError, AttributeError) as exc:
        return T(f"str.format fails on this template ({type(exc).__name__}): every brace that is not the "
                 f"placeholder must be doubled ({{{{ and }}}})",
                 f"o str.format falha neste template ({type(exc).__name__}): toda chave que não é o marcador deve "
                 f"ser dobrada ({{{{ e }}}})")
    if SAMPLE in filled:
        return None
    if "{{texto}}" in text or "{{text}}" in text:
        return T("{{texto}} is never filled: str.format turns it into the literal text {texto}; use single braces",
                 "{{texto}} nunca é preenchido: o str.format o transforma no texto literal {texto}; use chaves "
                 "simples")
    return T(f"{TEMPLATE} has no {{texto}} or {{text}} placeholder", f"{TEMPLATE} não tem o marcador {{texto}} ou "
             f"{{text}}")


@check("prompt-template")
def prompt_template(ctx):
    body = s3.get_object(ctx, BUCKET, TEMPLATE)
    if body is None:
        return Fail(T(f"object {TEMPLATE} not found", f"o objeto {TEMPLATE} não foi encontrado"),
                    expected=f"s3://{BUCKET}/{TEMPLATE}", actual=None)
    text = body.decode("utf-8", errors="replace")
    problem = template_problem(text)
    if problem is not None:
        return Fail(problem, expected="….format(texto=…, text=…)", actual=json.dumps(text[:160], ensure_ascii=False))
    return Pass(actual=text[:80])


@check("template-encrypted")
def template_encrypted(ctx):
    info = s3.object_info(ctx, BUCKET, TEMPLATE) or {}
    algorithm = info.get("ServerSideEncryption") or "AES256"  # every object is encrypted: SSE-S3 by default
    key_ref = info.get("SSEKMSKeyId")
    if algorithm == "aws:kms:dsse" and not key_ref:  # the local cloud omits the key id of DSSE objects
        rule = s3.default_encryption(ctx, BUCKET) or {}
        key_ref = rule.get("KMSMasterKeyID") if rule.get("SSEAlgorithm") == "aws:kms:dsse" else None
    if algorithm in KMS_ALGORITHMS and _same_key(ctx, key_ref):
        return Pass(actual=f"{algorithm} {key_ref}")
    shown = f"{algorithm} {key_ref or ('alias/aws/s3' if algorithm == 'aws:kms' else '')}".strip()
    return Fail(T(f"{TEMPLATE} itself is not encrypted with the key behind {ALIAS}: default encryption applies only "
                  "to objects written after it was set",
                  f"o próprio {TEMPLATE} não está criptografado com a chave de {ALIAS}: a criptografia padrão vale "
                  "só para objetos gravados depois de configurada"),
                expected=f"aws:kms {ALIAS}", actual=shown)
