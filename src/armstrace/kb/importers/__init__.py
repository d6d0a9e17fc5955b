"""Importers of public datasets into knowledge-base layers: ATOP, UCDP/PRIO conflicts, TSS rivalries.

Each reads the dataset's own files and writes YAML in the bundled knowledge base's
schema into a layer folder (`./armstrace-kb` by default, see `armstrace.kb.layers()`),
with the dataset and version as the source of every fact; `writer.check_layer` reads
the layer on top of the bundled knowledge base and lints it. There is deliberately no
importer for the Correlates of War formal alliances: its maintainer has asked that
software not make that data set easy to use (ATOP covers the same ground).
"""

from __future__ import annotations

from armstrace.kb.importers.atop import import_atop
from armstrace.kb.importers.rivalries import import_rivalries
from armstrace.kb.importers.ucdp import import_ucdp
from armstrace.kb.importers.writer import ImportInputError, ImportReport, check_layer

__all__ = [
    "ImportInputError",
    "ImportReport",
    "check_layer",
    "import_atop",
    "import_rivalries",
    "import_ucdp",
]
