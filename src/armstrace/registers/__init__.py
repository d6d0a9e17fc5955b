"""Public arms-trade registers, imported as transfers with the register row as evidence.

One module per register; each reads the register's own export files as they are
downloaded, quirks included, and returns transfers plus the rows it could not use.
"""

from armstrace.registers.sipri import (
    ImportProblem,
    RegisterImport,
    SipriFormatError,
    UnmappedName,
    detect_format,
    read_sipri,
    sipri_state,
)

__all__ = [
    "ImportProblem",
    "RegisterImport",
    "SipriFormatError",
    "UnmappedName",
    "detect_format",
    "read_sipri",
    "sipri_state",
]
