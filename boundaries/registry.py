"""The dataset registry: every boundary file the platform reads, known by name and sha256.

Files are never copied into the project. They are found in a configured data directory
(``DIABAN_DATA_DIR``; by default the shared folder beside the checkout) and refused when their
checksum differs from the registry's, so a truncated download or an edited file cannot slip
into the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from geo.errors import ChecksumMismatchError, DatasetMissingError
from geo.settings import get_settings


@dataclass(frozen=True)
class Dataset:
    """One registered file."""

    name: str
    relpath: str
    sha256: str
    size: int
    description: str


@dataclass(frozen=True)
class VerifiedFile:
    """A registered file found on disk with the expected checksum."""

    dataset: Dataset
    path: Path

    @property
    def sha256(self) -> str:
        return self.dataset.sha256


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset("communes_2025", "vn_communes_2025.gpkg",
                "a52417f8c38e0691c7e55bd5cc9f285bd53e4eddf4fc9184c24c323ba06d5cf4", 10469376,
                "3,321 communes, wards and special zones since 2025-07-01"),
        Dataset("provinces_2025", "vn_provinces_2025.gpkg",
                "32e1f48bb2d17a05972fe959ef2af7de8f923891c4dffaa9ecdfdf87e4b003bc", 2162688,
                "34 provinces since 2025-07-01 (two source layers, used as a check)"),
        Dataset("provinces_63", "vn_provinces_63_pre2025.gpkg",
                "f94df72edf73968831f350e6ebd62e70d2a0408d0e9b8f3e1e360a0d7ff1fe25", 1761280,
                "63 provinces before 2025-07-01"),
        Dataset("admin_2019", "vn_admin_2019_gischinhphu.gpkg",
                "7d27d6cbe2bcac7284e82e3cf6b0eca687119b337bf35dad99e8781973b16256", 9154560,
                "provinces and districts as of 2019"),
        Dataset("crosswalk_communes", "crosswalk/crosswalk_commune_old_to_new_nso.csv",
                "a13b9ba5c6830f88c9ceea70bf6a2619be8e2e5890ae1982dbf80c4c87f6ccd1", 1522826,
                "official old -> new commune conversion table (NSO), cleaned"),
        Dataset("crosswalk_provinces", "crosswalk/crosswalk_province_63_to_34.csv",
                "3502c70bfe0890c174c31a0787f49d0e0b336d3a23ea49eb05531c5a30e64a68", 2877,
                "63 -> 34 province merger list"),
        Dataset("official_2025", "reference/nso_divisions_2025_nested.json",
                "e997eb9dcbbbafbbae00496965572f8ccd6e192cbb1024e8fe6b5513c162dc9b", 613422,
                "official NSO code list of the 34 provinces and 3,321 communes"),
        Dataset("communes_pre2025", "reference/nso_xa_2025-01-04_pre_reform.csv",
                "026361a37fd47ad469ec6d5cc6dbcf2f0ae8a5d4219d10482fbbc8689864a2a4", 771519,
                "10,051 pre-reform communes as of 2025-01-04 (codes and names)"),
    ]
}

_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def locate_dataset(
    name: str, *, data_dir: Path | None = None, registry: dict[str, Dataset] | None = None
) -> VerifiedFile:
    """Find dataset ``name`` in the data directory and verify its checksum.

    Raises
    ------
    DatasetMissingError
        The folder or the file is absent; the message names the file and ``DIABAN_DATA_DIR``.
    ChecksumMismatchError
        The file exists but is not the registered one.
    """
    registry = registry or DATASETS
    if name not in registry:
        raise KeyError(f"`name` must be one of {sorted(registry)}, got {name!r}.")
    dataset = registry[name]
    data_dir = Path(data_dir or get_settings().data_dir)
    if not data_dir.is_dir():
        raise DatasetMissingError(
            f"Không thấy thư mục dữ liệu ranh giới {data_dir}. / The boundary data folder {data_dir} "
            f"does not exist: set DIABAN_DATA_DIR to the folder that holds {dataset.relpath}."
        )
    path = data_dir / dataset.relpath
    if not path.is_file():
        raise DatasetMissingError(
            f"Thiếu tệp {dataset.relpath} trong {data_dir}. / Dataset '{name}' is missing: expected "
            f"{path}. Put the file there or set DIABAN_DATA_DIR to the folder that holds it."
        )
    actual = sha256_of(path)
    if actual != dataset.sha256:
        raise ChecksumMismatchError(
            f"Tệp {path} không đúng bản đã đăng ký (sha256 sai). / {path} is not the registered "
            f"version of '{name}': sha256 {actual} (size {path.stat().st_size:,} B), expected "
            f"{dataset.sha256} (size {dataset.size:,} B). Restore the original file; do not edit it."
        )
    return VerifiedFile(dataset=dataset, path=path)


def locate_datasets(
    names: list[str], *, data_dir: Path | None = None, registry: dict[str, Dataset] | None = None
) -> dict[str, VerifiedFile]:
    """Verify several datasets at once, before any of them is read."""
    return {n: locate_dataset(n, data_dir=data_dir, registry=registry) for n in names}
