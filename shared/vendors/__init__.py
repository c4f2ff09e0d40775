"""Survey vendor formats: one pure module per vendor (verify a signature, parse a delivery).

`FORMATS` maps each vendor to its module: the modules are the `VendorFormat` protocol through their
module-level functions, and mypy checks that they are. The vendors in `THIN` send ids only; their
modules are also `ThinVendorFormat`s (`THIN_FORMATS`). The modules need only the standard library and
pydantic, so importing this package stays cheap; the registries import the vendor modules on first
access (module `__getattr__`), so a function that reads one format (the intake's generic one) does
not load every vendor's parser at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.vendors.base import ThinVendorFormat, Vendor, VendorFormat

    THIN_FORMATS: dict[Vendor, ThinVendorFormat]
    FORMATS: dict[Vendor, VendorFormat]
    THIN: frozenset[Vendor]

__all__ = ["FORMATS", "THIN", "THIN_FORMATS"]


def _registries() -> dict[str, Any]:
    from shared.vendors import delighted, formbricks, qualtrics, surveymonkey, typeform, wootric
    from shared.vendors.base import Vendor

    thin_formats: dict[Vendor, ThinVendorFormat] = {
        Vendor.SURVEYMONKEY: surveymonkey,
        Vendor.QUALTRICS: qualtrics,
    }
    formats: dict[Vendor, VendorFormat] = {
        Vendor.DELIGHTED: delighted,
        Vendor.TYPEFORM: typeform,
        **thin_formats,
        Vendor.WOOTRIC: wootric,
        Vendor.FORMBRICKS: formbricks,
    }
    return {"THIN_FORMATS": thin_formats, "FORMATS": formats, "THIN": frozenset(thin_formats)}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals().update(_registries())  # built once; later reads are plain module attributes
    return globals()[name]
