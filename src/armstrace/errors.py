"""Errors a user can see: one catalogue, each a sentence with what to do.

Like spaCy's `errors.py`, every error a user can see has a code, so the CLI,
reports and the docs say the same thing. The codes in use:

E000 any user error · E001 a path that does not exist · E002 a database that cannot be used ·
E003 a gold-case file that cannot be read · E004 an unknown analysis rule ·
E010 an OCR language set Tesseract lacks · E020 ingest cannot start its workers ·
E030 an invalid knowledge base (`kb.loader.KBError`) · E031 a dataset an importer cannot read
(`kb.importers.writer.ImportInputError`) · E040 a file that is not a SIPRI export
(`registers.sipri.SipriFormatError`).
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
