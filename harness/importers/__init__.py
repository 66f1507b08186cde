"""Importers that turn real conversation logs into scenario files.

Each source has its own module, and its ``dm-harness import <source>`` command lives in
``harness.cli``. This package imports no source module, so importing one importer does not load
the others.
"""
