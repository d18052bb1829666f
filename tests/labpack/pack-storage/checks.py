"""Checks of the fixture lab pack-storage."""

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import s3

BUCKET = "pack-prompts"


def _no_bucket():
    return Fail(T(f"bucket {BUCKET} does not exist", f"o bucket {BUCKET} não existe"), expected=BUCKET, actual=None)


@check("bucket-exists")
def bucket_exists(ctx):
    return Pass(actual=BUCKET) if s3.bucket_exists(ctx, BUCKET) else _no_bucket()


@check("bucket-versioning")
def bucket_versioning(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    status = s3.versioning(ctx, BUCKET)
    return expect(status == "Enabled", T("versioning must be enabled", "o versionamento deve estar ativado"),
                  expected="Enabled", actual=status)


@check("public-access-block")
def public_access_block(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    flags = s3.public_access_block(ctx, BUCKET)
    off = [name for name, on in flags.items() if not on]
    return expect(not off, T(f"settings off: {', '.join(off)}", f"configurações desativadas: {', '.join(off)}"),
                  expected={name: True for name in flags}, actual=flags)


@check("prompt-template")
def prompt_template(ctx):
    if not s3.bucket_exists(ctx, BUCKET):
        return _no_bucket()
    body = s3.get_object(ctx, BUCKET, "prompts/summary.txt")
    return expect(bool(body), T("prompts/summary.txt not found", "prompts/summary.txt não foi encontrado"),
                  expected="prompts/summary.txt", actual=None)
