"""The bundled analysis rules; importing this package registers each of them."""

from armstrace.analyse.rules import ally_arms_adversary

__all__ = ["ally_arms_adversary"]
