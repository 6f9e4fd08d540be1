"""The Dagster code location of Contact Center Warehouse."""
