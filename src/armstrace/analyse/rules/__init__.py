"""The bundled analysis rules; importing this package registers each of them."""

from armstrace.analyse.rules import (
    ally_arms_adversary,
    both_sides,
    corroboration,
    embargo_breach,
    intra_alliance_rivalry,
)

__all__ = ["ally_arms_adversary", "both_sides", "corroboration", "embargo_breach", "intra_alliance_rivalry"]
