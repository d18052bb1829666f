"""``gailab lab new ID``: a small lab that ``gailab lab validate`` already proves, to be edited into a real one.

It has every part an author needs (docs/labs.md): the manifest with one step, a check that depends on another,
one quiz question whose answer is only a hash, instructions in en and pt-BR with step anchors, checks, a starter,
a reference solution that also answers the quiz, and one near miss written as a patch of the solution.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from .manifest import ID_RE
from .quiz import hash_answer


class ScaffoldError(Exception):
    """The lab cannot be created (bad id, folder exists)."""


def bucket_for(lab_id: str) -> str:
    return lab_id[:55].rstrip("-") + "-bucket"


def _manifest(lab_id: str, title_en: str, title_pt: str, bucket: str) -> str:
    answer = hash_answer(lab_id, "versioning-purpose", [1])
    return f'''# gailab lab manifest, schema 1 — every field is explained in docs/labs.md.
schema = 1
id = "{lab_id}"
version = "0.1.0"
order = 100
sections = ["4"]
minutes = 10
prerequisites = []
pass_mark = 100
solution = "solution/solve.py"

[title]
en = "{title_en}"
pt-BR = "{title_pt}"

[summary]
en = "A versioned S3 bucket (replace with what your lab builds)."
pt-BR = "Um bucket S3 com versionamento (troque pelo que o seu lab constrói)."

[resources]
buckets = ["{bucket}"]

[[steps]]
id = "bucket"
title = {{ en = "A versioned bucket", pt-BR = "Um bucket com versionamento" }}
hints.en = ["aws s3api create-bucket --bucket {bucket}, then put-bucket-versioning with Status=Enabled."]
hints.pt-BR = ["aws s3api create-bucket --bucket {bucket} e depois put-bucket-versioning com Status=Enabled."]

[[steps.checks]]
id = "bucket-exists"
points = 40
title = {{ en = "bucket {bucket} exists", pt-BR = "o bucket {bucket} existe" }}
hint = {{ en = "aws s3api create-bucket --bucket {bucket}", pt-BR = "aws s3api create-bucket --bucket {bucket}" }}

[[steps.checks]]
id = "bucket-versioning"
points = 40
depends_on = ["bucket-exists"]
title = {{ en = "versioning is enabled", pt-BR = "o versionamento está ativado" }}
hint = {{ en = "put-bucket-versioning with Status=Enabled (Suspended keeps no new versions).", pt-BR = "put-bucket-versioning com Status=Enabled (com Suspended nenhuma versão nova é guardada)." }}

[[steps.quiz.questions]]
id = "versioning-purpose"
points = 20
text = {{ en = "What does S3 versioning give you?", pt-BR = "O que o versionamento do S3 oferece?" }}
options.en = ["Faster uploads", "Every version of an object, so an overwrite or a delete can be undone", "Encryption at rest"]
options.pt-BR = ["Uploads mais rápidos", "Todas as versões de um objeto, para desfazer uma sobrescrita ou exclusão", "Criptografia em repouso"]
answer = "{answer}"

[[mistakes]]
patch = "mistakes/versioning-suspended.diff"
fails = "bucket-versioning"
about = {{ en = "versioning suspended instead of enabled", pt-BR = "bucket com versionamento suspenso em vez de ativado" }}
'''


_CHECKS = '''"""Checks of {lab_id}: each returns Pass or Fail (expected, actual, hint) — see docs/labs.md."""

from gailab.labs.checks import Fail, Pass, T, check, expect
from gailab.labs.checks import s3

BUCKET = "{bucket}"


@check("bucket-exists")
def bucket_exists(ctx):
    if s3.bucket_exists(ctx, BUCKET):
        return Pass(actual=BUCKET)
    return Fail(T(f"bucket {{BUCKET}} does not exist", f"o bucket {{BUCKET}} não existe"), expected=BUCKET, actual=None)


@check("bucket-versioning")
def bucket_versioning(ctx):
    status = s3.versioning(ctx, BUCKET)  # depends_on bucket-exists: never judged without the bucket
    return expect(status == "Enabled", T("versioning must be enabled", "o versionamento deve estar ativado"),
                  expected="Enabled", actual=status)
'''

_SOLUTION = '''"""Reference solution of {lab_id} (boto3; the environment points it at the cloud). Safe to run twice."""

import boto3

from gailab.labs.quiz import answer_from_env

BUCKET = "{bucket}"
s3 = boto3.client("s3", region_name="us-east-1")

if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
    s3.create_bucket(Bucket=BUCKET)
s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={{"Status": "Enabled"}})

# The quiz: answers found from the manifest's hashes, so no answer is written in the lab's files.
answer_from_env()
print(f"{lab_id} solved: s3://{{BUCKET}} versioned")
'''

_STARTER = '''"""
[en] Your script for the lab {lab_id}. Fill in each TODO, then run:
[pt-BR] Seu script para o lab {lab_id}. Complete cada TODO e depois rode:

    eval "$(gailab env)"
    python build.py
    gailab grade {lab_id}
"""

import boto3

BUCKET = "{bucket}"
s3 = boto3.client("s3", region_name="us-east-1")

# [en] TODO 1: create the bucket BUCKET (s3.create_bucket).
# [pt-BR] TODO 1: crie o bucket BUCKET (s3.create_bucket).

# [en] TODO 2: enable versioning (s3.put_bucket_versioning).
# [pt-BR] TODO 2: ative o versionamento (s3.put_bucket_versioning).
'''

_INSTRUCTIONS = {
    "en": '''# {title}

One paragraph: what the learner builds and why it matters for the exam. Work in a terminal pointed at the local
cloud (`eval "$(gailab env)"`); the starter `build.py` has a TODO per step.

## 1. A versioned bucket {{#bucket}}

```sh
aws s3api create-bucket --bucket {bucket}
aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled
```

Then answer the question of this step. Press **Check**.

## On real AWS

Say what the same work costs on AWS and what differs from the simulation.
''',
    "pt-BR": '''# {title}

Um parágrafo: o que o aluno constrói e por que isso importa para a prova. Trabalhe num terminal apontado para a
nuvem local (`eval "$(gailab env)"`); o script inicial `build.py` tem um TODO por passo.

## 1. Um bucket com versionamento {{#bucket}}

```sh
aws s3api create-bucket --bucket {bucket}
aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled
```

Depois responda à pergunta deste passo. Aperte **Verificar**.

## Na AWS de verdade

Diga quanto o mesmo trabalho custa na AWS e o que muda em relação à simulação.
''',
}


def create_lab(lab_id: str, parent: Path, title_en: str | None = None, title_pt: str | None = None) -> Path:
    """Write the new lab ``parent/lab_id``; returns its folder."""
    if not ID_RE.match(lab_id):
        raise ScaffoldError(f"{lab_id!r} is not a lab id: lowercase letters, digits and dashes, 2 to 63")
    folder = Path(parent) / lab_id
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists")
    bucket = bucket_for(lab_id)
    words = lab_id.replace("-", " ")
    title_en = title_en or words.capitalize()
    title_pt = title_pt or title_en
    for text in (title_en, title_pt):
        if '"' in text or "\\" in text or "\n" in text:
            raise ScaffoldError("a title may not hold quotes, backslashes or line breaks")
    values = {"lab_id": lab_id, "bucket": bucket}
    solution = _SOLUTION.format(**values)
    mistake = solution.replace('{"Status": "Enabled"}', '{"Status": "Suspended"}')
    diff = "".join(difflib.unified_diff(solution.splitlines(keepends=True), mistake.splitlines(keepends=True),
                                        "a/solution/solve.py", "b/solution/solve.py"))
    files = {
        "lab.toml": _manifest(lab_id, title_en, title_pt, bucket),
        "checks.py": _CHECKS.format(**values),
        "solution/solve.py": solution,
        "starter/build.py": _STARTER.format(**values),
        "mistakes/versioning-suspended.diff": diff,
        "instructions.en.md": _INSTRUCTIONS["en"].format(title=title_en, bucket=bucket),
        "instructions.pt-BR.md": _INSTRUCTIONS["pt-BR"].format(title=title_pt, bucket=bucket),
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
