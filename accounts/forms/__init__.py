"""Validation for the console, one module per page family; rules come from the services."""
