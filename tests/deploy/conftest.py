"""The session's offline bundle (made and installed once; see ``_deploy_bundle``)."""

from __future__ import annotations

import pytest
from _deploy_bundle import InstalledBundle, installed_bundle


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> InstalledBundle:
    return installed_bundle(tmp_path_factory.getbasetemp())
