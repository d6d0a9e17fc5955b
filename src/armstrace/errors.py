"""Errors a user can see: one catalogue, each a sentence with what to do.

Like spaCy's `errors.py`, messages live in one place with a code, so the CLI,
the web workspace and the docs say the same thing.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a bad request: printed without a traceback, exit status 2."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class NoInputError(UserError):
    code = "E001"


class DatabaseError(UserError):
    code = "E002"


class GoldError(UserError):
    code = "E003"


class UnknownRuleError(UserError):
    code = "E004"


class OcrLanguageError(UserError):
    """An OCR language set (`--ocr-lang`) that is malformed or not installed for Tesseract."""

    code = "E010"


class IngestError(UserError):
    """An ingest cannot run at all (its worker processes cannot start); a bad file is never this."""

    code = "E020"
