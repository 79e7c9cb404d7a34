"""A missing folder, a corrupted file and a wrong checksum: clear errors, database unchanged."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from boundaries.load import load_boundaries
from boundaries.registry import DATASETS, locate_dataset, sha256_of
from geo.errors import ChecksumMismatchError, DatasetCorruptError, DatasetMissingError
from geo.settings import get_settings
from tests.conftest import table_counts


def _mirror(tmp_path):
    """A data folder of links to the real files, so one of them can be swapped."""
    source = get_settings().data_dir
    for ds in DATASETS.values():
        target = tmp_path / ds.relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(source / ds.relpath)
    return tmp_path


def test_missing_data_folder_names_the_variable_and_changes_nothing(engine, boundaries_loaded, tmp_path):
    before = table_counts(engine)
    with pytest.raises(DatasetMissingError, match="DIABAN_DATA_DIR") as err:
        load_boundaries(engine, data_dir=tmp_path / "nowhere", force=True, show_progress=False)
    assert "vn_communes_2025.gpkg" in str(err.value)
    assert table_counts(engine) == before


def test_missing_file_names_the_file(tmp_path):
    data = _mirror(tmp_path)
    (data / "crosswalk" / "crosswalk_province_63_to_34.csv").unlink()
    with pytest.raises(DatasetMissingError, match="crosswalk_province_63_to_34.csv"):
        locate_dataset("crosswalk_provinces", data_dir=data)


def test_wrong_checksum_is_refused_and_changes_nothing(engine, boundaries_loaded, tmp_path):
    data = _mirror(tmp_path)
    target = data / "vn_provinces_63_pre2025.gpkg"
    target.unlink()
    shutil.copy(get_settings().data_dir / "vn_provinces_63_pre2025.gpkg", target)
    with open(target, "r+b") as fh:  # flip one byte in the middle
        fh.seek(500_000)
        byte = fh.read(1)
        fh.seek(500_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    before = table_counts(engine)
    with pytest.raises(ChecksumMismatchError, match="provinces_63") as err:
        load_boundaries(engine, data_dir=data, force=True, show_progress=False)
    assert DATASETS["provinces_63"].sha256 in str(err.value)
    assert table_counts(engine) == before


def test_corrupted_file_with_a_registered_checksum_gives_a_clear_error_and_changes_nothing(
    engine, boundaries_loaded, tmp_path
):
    data = _mirror(tmp_path)
    target = data / "vn_communes_2025.gpkg"
    target.unlink()
    with open(get_settings().data_dir / "vn_communes_2025.gpkg", "rb") as src:
        target.write_bytes(src.read(4096))  # a truncated download
    registry = dict(DATASETS)
    registry["communes_2025"] = dataclasses.replace(DATASETS["communes_2025"], sha256=sha256_of(target), size=4096)
    before = table_counts(engine)
    with pytest.raises(DatasetCorruptError, match="vn_communes_2025.gpkg"):
        load_boundaries(engine, data_dir=data, force=True, show_progress=False, registry=registry)
    assert table_counts(engine) == before


def test_registered_files_verify_in_the_configured_folder():
    verified = locate_dataset("official_2025")
    assert verified.path.is_file() and sha256_of(verified.path) == verified.sha256
