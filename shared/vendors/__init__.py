"""Survey vendor formats: one pure module per vendor (verify a signature, parse a delivery).

`FORMATS` maps each vendor to its module: the modules are the `VendorFormat` protocol through their
module-level functions, and mypy checks that they are. The vendors in `THIN` send ids only; their
modules are also `ThinVendorFormat`s (`THIN_FORMATS`). The modules need only the standard library and
pydantic, so importing this package stays cheap.
"""

from __future__ import annotations

from shared.vendors import delighted, formbricks, qualtrics, surveymonkey, typeform, wootric
from shared.vendors.base import ThinVendorFormat, Vendor, VendorFormat

THIN_FORMATS: dict[Vendor, ThinVendorFormat] = {
    Vendor.SURVEYMONKEY: surveymonkey,
    Vendor.QUALTRICS: qualtrics,
}

FORMATS: dict[Vendor, VendorFormat] = {
    Vendor.DELIGHTED: delighted,
    Vendor.TYPEFORM: typeform,
    **THIN_FORMATS,
    Vendor.WOOTRIC: wootric,
    Vendor.FORMBRICKS: formbricks,
}

THIN: frozenset[Vendor] = frozenset(THIN_FORMATS)

__all__ = ["FORMATS", "THIN", "THIN_FORMATS"]
