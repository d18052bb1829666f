"""The seam to moto: every patch target still exists with the signature it was written against, and a running
cloud has each of them in place. A moto upgrade that moves something fails here, naming it."""

from __future__ import annotations

import importlib
import inspect

import pytest

from gailab.simulator.core import motoseam


@pytest.mark.parametrize("patch", motoseam.PATCHES, ids=[p.target for p in motoseam.PATCHES])
def test_each_target_exists_with_its_pinned_signature(patch):
    module = importlib.import_module(patch.module)
    owner = module
    for name in patch.path[:-1]:
        assert hasattr(owner, name), f"moto moved {patch.target}: {name} is gone from {owner!r}"
        owner = getattr(owner, name)
    if patch.adds:  # gailab adds what moto lacks: when moto grows it, this patch should become a wrapper
        assert motoseam.original(patch.target) is None, f"moto now has {patch.target}: review that patch"
        return
    assert hasattr(owner, patch.path[-1]), f"moto moved {patch.target}: {patch.path[-1]} is gone"
    original = motoseam.original(patch.target)
    if patch.signature is not None:
        assert str(inspect.signature(original)) == patch.signature, (
            f"moto changed {patch.target}: was {patch.signature}, now {inspect.signature(original)}")
    assert patch.why and (patch.replacement or patch.value is not motoseam._UNSET)
    if patch.replacement:
        module_name, _, name = patch.replacement.partition(":")
        replacement = getattr(importlib.import_module(module_name), name)
        if patch.factory:
            replacement = motoseam._made.get(patch.target) or replacement()
        assert callable(replacement) == callable(original), f"{patch.replacement} does not stand in for {patch.target}"


def test_a_running_cloud_has_every_patch_in_place(cloud, aws):
    # Touch every service a patch targets, so moto imports its modules.
    aws("s3").list_buckets()
    aws("kms").list_keys()
    aws("iam").list_roles()
    aws("sts").get_caller_identity()
    aws("apigateway").get_rest_apis()
    aws("apigatewayv2").get_apis()
    aws("lambda").list_functions()
    aws("cloudwatch").describe_alarms()
    aws("logs").describe_log_groups()
    for patch in motoseam.PATCHES:
        module = importlib.import_module(patch.module)
        owner = module
        for name in patch.path[:-1]:
            owner = getattr(owner, name)
        current = getattr(owner, patch.path[-1])
        expected = patch.value if patch.replacement == "" else motoseam._replacement(patch)
        assert current is expected, f"{patch.target} is not patched"
        assert motoseam.installed(patch.target)


def test_install_is_idempotent():
    before = dict(motoseam._applied)
    motoseam.install()
    motoseam.install()
    assert motoseam._applied == before


def test_the_cloud_reads_each_botocore_model_once():
    """Request checks, error shapes and routes share one copy of each service model (a copy of the course's models
    takes ~30 MiB); moto keeps its own, which differs (its loader adds models such as S3's PostObject)."""
    from moto.core.utils import get_service_model

    from gailab.simulator.core import awserrors, shapes

    s3 = awserrors.service_model("s3")
    assert s3 is awserrors._service_model("s3") is shapes.service_model("s3")
    assert "PostObject" not in s3.operation_names and "PostObject" in get_service_model("s3").operation_names
    assert awserrors._service_model("no-such-service") is None
