"""Suite-wide settings: hypothesis runs without a per-example deadline (CI shares two cores, and a
slow example is not a wrong one; speed is measured in benchmarks/, never asserted here)."""

from hypothesis import settings

settings.register_profile("nnlab", deadline=None)
settings.load_profile("nnlab")
