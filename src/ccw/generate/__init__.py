"""The deterministic sample contact centre (``ccw generate``): every raw export of the spec, by seed."""

from ccw.generate.config import PRESETS, GeneratorConfig
from ccw.generate.runner import GenerationSummary, generate

__all__ = ["PRESETS", "GenerationSummary", "GeneratorConfig", "generate"]
