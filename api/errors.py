"""Refusals of the API: a status code and the catalogue's sentence in both languages.

Every answer that is not a success is ``{"status": …, "code": …, "vi": …, "en": …, "detail": "vi / en"}``
so a client can show the user's language; nothing else (no data, no traceback).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from etl.readers import UnreadableFileError
from geo.access import AccessDeniedError, DatabaseUnavailableError
from geo.errors import DiabanError, InvalidArgumentError
from pages.i18n import STRINGS

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal with a catalogue key (``api.…``) and the values of its placeholders."""

    def __init__(self, status: int, key: str, **values: object):
        super().__init__(key)
        self.status, self.key, self.values = status, key, values

    def sentences(self) -> tuple[str, str]:
        vi, en = STRINGS[self.key]
        return vi.format(**self.values), en.format(**self.values)


def refusal(status: int, code: str, vi: str, en: str, headers: dict | None = None, **extra) -> JSONResponse:
    body = {"status": status, "code": code, "vi": vi, "en": en, "detail": f"{vi} / {en}", **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def _split(text: str) -> tuple[str, str]:
    vi, sep, en = text.partition(" / ")
    return (vi.strip(), en.strip()) if sep else (text, text)


def _status_of(exc: DiabanError) -> int:
    if isinstance(exc, AccessDeniedError):
        return 403
    if isinstance(exc, DatabaseUnavailableError):
        return 503
    if isinstance(exc, UnreadableFileError):
        return 422
    if isinstance(exc, InvalidArgumentError):
        return 400
    return 400


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a sentence."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        vi, en = exc.sentences()
        headers = {"WWW-Authenticate": 'Bearer realm="diaban"'} if exc.status == 401 else None
        return refusal(exc.status, exc.key, vi, en, headers=headers)

    @app.exception_handler(DiabanError)
    async def _diaban_error(request: Request, exc: DiabanError):
        vi, en = _split(str(exc))
        return refusal(_status_of(exc), type(exc).__name__, vi, en)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        problems = exc.errors()
        first = problems[0] if problems else {}
        name = ".".join(str(p) for p in first.get("loc", ())[1:]) or "?"
        given = str(first.get("input", ""))[:80]
        vi, en = STRINGS["api.bad_parameter"]
        return refusal(422, "api.bad_parameter", vi.format(name=name, value=given, problem=first.get("msg", "")),
                       en.format(name=name, value=given, problem=first.get("msg", "")))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        key = {404: "api.not_found", 405: "api.method"}.get(exc.status_code, "api.unexpected")
        vi, en = STRINGS[key]
        return refusal(exc.status_code, key, vi.format(name=exc.status_code, path=request.url.path[:100]),
                       en.format(name=exc.status_code, path=request.url.path[:100]))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        vi, en = STRINGS["api.unexpected"]
        return refusal(500, "api.unexpected", vi.format(name=type(exc).__name__), en.format(name=type(exc).__name__))
