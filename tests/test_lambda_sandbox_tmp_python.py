"""A cloud run by a Python installed under /tmp (a venv in a temporary checkout, as CI clones make): its handlers
import boto3 from that venv — the sandbox's own /tmp would hide it — and still cannot write there."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

from gailab.simulator.awslambda.package import ensure_role, zip_handler
from gailab.simulator.core.process import CloudProcess

#: What a handler's ``import boto3`` needs, taken from this Python into the venv under /tmp.
BOTO3 = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "urllib3", "six")

HANDLER = """\
import os


def handler(event, context):
    out = {}
    try:
        import boto3

        out["boto3"] = boto3.__file__
        boto3.client("sqs", region_name="us-east-1")  # reads botocore's SQS model now, from the venv's files
        out["client"] = True
    except Exception as exc:
        out["error"] = repr(exc)
        return out
    target = os.path.join(os.path.dirname(boto3.__file__), "written-by-a-handler")
    try:
        with open(target, "w") as f:
            f.write("x")
        out["wrote"] = True
    except OSError as exc:
        out["wrote"] = False
        out["writeError"] = exc.strerror
    return out
"""


def _link_tree(source: Path, target: Path) -> None:
    """Hard links where the filesystem allows them (a gigabyte-free copy), else a copy."""
    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    if source.is_dir():
        shutil.copytree(source, target, copy_function=link, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        link(source, target)


def _venv_under_tmp(root: Path) -> Path:
    """A venv under /tmp with boto3 in its own site-packages; gailab and the server's other packages come from this
    Python's site-packages, added by a .pth (so only boto3 is where the sandbox must show it)."""
    assert str(root).startswith("/tmp/"), root  # pytest's tmp_path: the case under test
    venv = root / "checkout" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True, timeout=60).stdout.strip())
    for name in BOTO3:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, name
        source = Path(spec.origin).parent if spec.submodule_search_locations else Path(spec.origin)
        _link_tree(source, site / source.name)
    outer = sysconfig.get_paths()["purelib"]
    (site / "zz_gailab_outer.pth").write_text(f"import site; site.addsitedir({outer!r})\n")
    return python


class _CloudFrom(CloudProcess):
    def __init__(self, python: Path, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.python = str(python)

    def command(self) -> list[str]:
        return [self.python, *super().command()[1:]]


def test_handlers_import_boto3_from_a_venv_under_tmp_and_cannot_write_it(tmp_path):
    python = _venv_under_tmp(tmp_path)
    with _CloudFrom(python, tmp_path / "home", extra_args=["--no-supervisor"]) as cloud:
        with urllib.request.urlopen(cloud.endpoint + "/_gailab/lambda", timeout=30) as reply:
            containment = json.load(reply)["containment"]
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name="us-east-1")
        config = Config(retries={"max_attempts": 1}, read_timeout=120)
        role = ensure_role(session.client("iam", endpoint_url=cloud.endpoint, config=config), "tmp-venv-role")
        lam = session.client("lambda", endpoint_url=cloud.endpoint, config=config)
        lam.create_function(FunctionName="tmp-venv", Runtime="python3.12", Role=role, Timeout=60,
                            Handler="lambda_function.handler", Code={"ZipFile": zip_handler(HANDLER)})
        reply = lam.invoke(FunctionName="tmp-venv")
        result = json.loads(reply["Payload"].read())
    assert "FunctionError" not in reply, result
    venv_site = str(python.parent.parent)
    assert containment["mode"] == "namespaces"  # the mode whose own /tmp hid the venv before 8ffc21b
    assert "error" not in result, result
    assert result["boto3"].startswith(venv_site + "/"), result  # from the venv under /tmp, not from elsewhere
    assert result["client"] is True
    assert result["wrote"] is False, result  # visible read-only: the handler cannot change the venv
    assert result["writeError"] in ("Read-only file system", "Permission denied"), result
    assert not (Path(result["boto3"]).parent / "written-by-a-handler").exists()
