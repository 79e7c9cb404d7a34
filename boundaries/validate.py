"""Checks that boundary data must pass before anything is written."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pandas as pd


def normalise_name(name: str) -> str:
    """Return a name folded for comparison: NFC, single spaces, case-insensitive."""
    return " ".join(unicodedata.normalize("NFC", str(name)).split()).casefold()


@dataclass(frozen=True)
class CodeCheck:
    """How a layer's codes and names compare with the official list."""

    level: str
    official: int
    source: int
    matched: int
    names_matched: int
    missing: list[str] = field(default_factory=list)  # official codes absent from the source
    unknown: list[str] = field(default_factory=list)  # source codes absent from the official list
    duplicates: list[str] = field(default_factory=list)
    name_mismatches: list[tuple[str, str, str]] = field(default_factory=list)  # code, source, official

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unknown or self.duplicates or self.name_mismatches)


def check_codes(source: pd.DataFrame, official: pd.DataFrame, *, level: str) -> CodeCheck:
    """Compare ``source`` (code, name) with the ``official`` list (code, name), code by code."""
    duplicates = sorted(source.loc[source["code"].duplicated(), "code"].unique())
    merged = source[["code", "name"]].drop_duplicates("code").merge(
        official[["code", "name"]], on="code", how="outer", suffixes=("_src", "_off"), indicator=True
    )
    both = merged[merged["_merge"] == "both"]
    same_name = both["name_src"].map(normalise_name) == both["name_off"].map(normalise_name)
    return CodeCheck(
        level=level,
        official=len(official),
        source=len(source),
        matched=len(both),
        names_matched=int(same_name.sum()),
        missing=sorted(merged.loc[merged["_merge"] == "right_only", "code"]),
        unknown=sorted(merged.loc[merged["_merge"] == "left_only", "code"]),
        duplicates=duplicates,
        name_mismatches=[tuple(r) for r in both.loc[~same_name, ["code", "name_src", "name_off"]].itertuples(index=False)],
    )
