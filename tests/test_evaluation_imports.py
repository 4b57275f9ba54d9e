"""`from helpers import *` works and every public name imports."""
import importlib


def test_star_import_and_all_names():
    namespace = {}
    exec("from helpers import *", namespace)
    helpers = importlib.import_module("helpers")
    for name in helpers.__all__:
        assert name in namespace, name
        assert namespace[name] is getattr(helpers, name)


def test_every_submodule_all_resolves():
    helpers = importlib.import_module("helpers")
    for sub in helpers._SUBMODULES:
        module = getattr(helpers, sub)
        for name in getattr(module, "__all__", []):
            assert hasattr(module, name), f"helpers.{sub}.{name}"
