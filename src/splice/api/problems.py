"""Maps user errors to HTTP answers with a clear message; never a traceback."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from splice.errors import UserError

__all__ = ["install_problem_handlers"]


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers on an app."""

    @app.exception_handler(UserError)
    async def _user_error(_: Request, exc: UserError) -> JSONResponse:
        return JSONResponse(
            {"error": type(exc).__name__, "message": exc.text, "field": exc.field},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}"
            for err in exc.errors()
        ]
        return JSONResponse(
            {"error": "InvalidInput", "message": "; ".join(problems) or "invalid request"},
            status_code=400,
        )
