"""Contact Center Warehouse: sample generator, landing and pipeline steps around the dbt project."""

__version__ = "0.1.0"
