from __future__ import annotations

import subprocess
import sys

from shared.vendors import FORMATS, THIN, THIN_FORMATS
from shared.vendors.base import Vendor


def test_every_vendor_has_a_format_and_the_thin_ones_can_fetch_details() -> None:
    assert set(FORMATS) == set(Vendor)
    assert THIN == {Vendor.SURVEYMONKEY, Vendor.QUALTRICS} == set(THIN_FORMATS)
    for vendor in Vendor:
        module = FORMATS[vendor]
        assert module.__name__ == f"shared.vendors.{vendor.value}"  # type: ignore[attr-defined]
        assert callable(module.verify) and callable(module.parse)
        assert hasattr(module, "details_path") == (vendor in THIN)
        assert hasattr(module, "parse_details") == (vendor in THIN)


def test_the_package_imports_nothing_that_does_io() -> None:
    """Vendor modules are pure: no AWS SDK, no HTTP client (checked in a fresh interpreter)."""
    heavy = ["boto3", "botocore", "urllib.request", "http.client", "requests", "aws_lambda_powertools"]
    code = f"import sys, shared.vendors; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
