"""Checks of s3-genai-storage: the key, the bucket's encryption, versioning, public access and the template."""

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import kms, s3

BUCKET = "genai-outputs"
ALIAS = "alias/genai-lab"
TEMPLATE = "prompts/summary.txt"


def _no_bucket():
    return Fail(T(f"bucket {BUCKET} does not exist", f"o bucket {BUCKET} não existe"), expected=BUCKET, actual=None,
                hint=T(f"Create it first: aws s3api create-bucket --bucket {BUCKET}",
                       f"Crie-o primeiro: aws s3api create-bucket --bucket {BUCKET}"))


@check("kms-alias")
def kms_alias(ctx):
    target = kms.alias_target(ctx, ALIAS)
    if target is None:
        return Fail(T(f"there is no KMS alias {ALIAS}", f"não existe o alias KMS {ALIAS}"), expected=ALIAS,
                    actual=[a["AliasName"] for a in kms.aliases(ctx) if not a["AliasName"].startswith("alias/aws/")])
    meta = kms.describe(ctx, target)
    if meta is None or meta.get("KeyState") != "Enabled":
        return Fail(T(f"{ALIAS} points to a key that is not enabled", f"{ALIAS} aponta para uma chave desabilitada"),
                    expected="Enabled", actual=meta and meta.get("KeyState"))
    manager = kms.key_manager(ctx, target)
    return expect(manager == "CUSTOMER",
                  T(f"{ALIAS} must point to a customer managed key", f"{ALIAS} deve apontar para uma chave "
                    "gerenciada pelo cliente"), expected="KeyManager CUSTOMER", actual=f"KeyManager {manager}")


@check("bucket-exists")
def bucket_exists(ctx):
    return Pass(actual=BUCKET) if s3.bucket_exists(ctx, BUCKET) else _no_bucket()


@check("bucket-sse-kms")
def bucket_sse_kms(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    rule = s3.default_encryption(ctx, BUCKET)
    algorithm = rule.get("SSEAlgorithm") if rule else None
    return expect(algorithm == "aws:kms",
                  T("default encryption must be SSE-KMS", "a criptografia padrão deve ser SSE-KMS"),
                  expected="SSEAlgorithm aws:kms", actual=f"SSEAlgorithm {algorithm}" if algorithm else "none")


@check("bucket-kms-key")
def bucket_kms_key(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    rule = s3.default_encryption(ctx, BUCKET) or {}
    key_ref = rule.get("KMSMasterKeyID")
    wanted = kms.alias_target(ctx, ALIAS)
    if rule.get("SSEAlgorithm") != "aws:kms":
        return Fail(T("the bucket does not use a KMS key yet", "o bucket ainda não usa uma chave KMS"),
                    expected=f"the key behind {ALIAS}", actual=rule.get("SSEAlgorithm") or "no default encryption")
    if not key_ref:
        return Fail(T("SSE-KMS without a key id uses the AWS managed key aws/s3",
                      "SSE-KMS sem id de chave usa a chave gerenciada pela AWS aws/s3"),
                    expected=f"the key behind {ALIAS}", actual="alias/aws/s3 (default)")
    meta = kms.describe(ctx, key_ref)
    if meta is None:
        return Fail(T(f"the bucket names a KMS key that does not exist: {key_ref}",
                      f"o bucket indica uma chave KMS que não existe: {key_ref}"),
                    expected=f"the key behind {ALIAS}", actual=key_ref)
    if wanted and meta["KeyId"] == kms.describe(ctx, wanted)["KeyId"]:
        return Pass(actual=key_ref)
    names = kms.aliases_of(ctx, meta["KeyId"])
    return Fail(T("the bucket is encrypted with another key", "o bucket está criptografado com outra chave"),
                expected=f"the key behind {ALIAS}" + (f" ({wanted})" if wanted else ""),
                actual=f"{key_ref}" + (f" ({', '.join(names)})" if names else ""))


@check("bucket-versioning")
def bucket_versioning(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    status = s3.versioning(ctx, BUCKET)
    return expect(status == "Enabled", T("versioning must be enabled", "o versionamento deve estar habilitado"),
                  expected="Enabled", actual=status)


@check("public-access-block")
def public_access_block(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    flags = s3.public_access_block(ctx, BUCKET)
    off = [name for name, on in flags.items() if not on]
    return expect(not off, T(f"Block Public Access settings off: {', '.join(off)}",
                             f"configurações de Bloqueio de Acesso Público desligadas: {', '.join(off)}"),
                  expected={name: True for name in flags}, actual=flags)


@check("prompt-template")
def prompt_template(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    body = s3.get_object(ctx, BUCKET, TEMPLATE)
    if body is None:
        return Fail(T(f"object {TEMPLATE} not found", f"o objeto {TEMPLATE} não foi encontrado"),
                    expected=f"s3://{BUCKET}/{TEMPLATE}", actual=None)
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        return Fail(T(f"{TEMPLATE} is empty", f"{TEMPLATE} está vazio"), expected="a prompt template", actual="")
    return expect("{texto}" in text or "{text}" in text,
                  T(f"{TEMPLATE} has no {{texto}} or {{text}} placeholder",
                    f"{TEMPLATE} não tem o marcador {{texto}} ou {{text}}"),
                  expected="a {texto} or {text} placeholder", actual=text[:80])
