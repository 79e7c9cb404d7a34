"""Typed settings, read from the environment (prefix ``DIABAN_``) at call time.

``DATABASE_URL`` keeps its conventional unprefixed name because hosting tools set it; when it
is unset the project starts its own PostGIS cluster (see :mod:`geo.embedded`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_SHARED_BOUNDARIES = PROJECT_ROOT.parent / "shared" / "data" / "boundaries"


class Settings(BaseSettings):
    """Every knob of the platform in one place."""

    model_config = SettingsConfigDict(env_prefix="DIABAN_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "DIABAN_DATABASE_URL"),
        description="SQLAlchemy URL of an existing PostGIS database; unset = embedded cluster.",
    )
    data_dir: Path = Field(
        default=_SHARED_BOUNDARIES,
        description="Folder holding the boundary datasets listed in boundaries/registry.py.",
    )
    state_dir: Path = Field(
        default=PROJECT_ROOT / ".diaban",
        description="Git-ignored folder for the embedded cluster, caches and reports.",
    )
    database_name: str = "diaban"
    snap_tolerance_m: float = Field(default=2000.0, gt=0, le=50_000)
    tile_url: str | None = Field(
        default=None, description="Optional XYZ tile URL; none by default (offline)."
    )
    tile_attribution: str = ""
    demo_scale: float = Field(default=1.0, ge=0, le=100,
                              description="Size of the demo data loaded into an empty database; 0 = none.")
    max_upload_mb: int = Field(default=200, gt=0, le=4096, description="Largest file an import accepts.")
    max_unzipped_mb: int = Field(default=1024, gt=0, le=16384,
                                 description="Largest inflated size of an .xlsx (a zip): refused before inflating.")
    app_database_url: str | None = Field(
        default=None,
        description="URL the app connects with: a login role that is a member of diaban_app and owns nothing. "
                    "Unset with the embedded cluster: provisioned automatically. Required with DATABASE_URL.",
    )
    app_pool_size: int = Field(default=10, ge=1, le=500, description="Connections the app keeps open.")
    app_max_overflow: int = Field(default=40, ge=0, le=500,
                                  description="Extra connections under load (each concurrent page run holds one).")
    session_minutes: int = Field(default=480, ge=1, le=10080, description="A sign-in lasts at most this long.")
    idle_minutes: int = Field(default=60, ge=1, le=10080, description="A session unused this long expires.")
    signin_max_failures: int = Field(default=5, ge=1, le=100, description="Wrong passwords before a lock-out.")
    signin_lockout_minutes: int = Field(default=15, ge=1, le=10080)
    bcrypt_cost: int = Field(default=12, ge=4, le=16, description="bcrypt work factor of stored passwords.")
    wal_archive_dir: Path | None = Field(
        default=None, description="Folder (ideally on another disk) the embedded cluster archives its WAL into; "
                                  "unset = the folder chosen by `python -m geo backup` (<state_dir>/wal), or none.")
    backup_dir: Path | None = Field(default=None, description="Folder of base backups; unset = <state_dir>/backups.")
    read_database_urls: str | None = Field(
        default=None, description="Comma-separated app-role URLs of hot standbys the app reads from; unset with the "
                                  "embedded cluster = the standbys `bash run.sh replica` started.")
    replica_max_wait_ms: int = Field(default=300, ge=0, le=60_000,
                                     description="How long a read waits for a standby to replay the user's last "
                                                 "write (sign-in, import) before it reads from the primary instead.")
    oidc_enabled: bool = Field(default=False, description="Offer sign-in through the identity provider configured "
                                                          "in .streamlit/secrets.toml ([auth], Streamlit's st.login).")

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"

    @property
    def reports_dir(self) -> Path:
        return self.state_dir / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
