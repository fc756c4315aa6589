"""Extracts (uttrekk) in the embedded register: tables, criteria, the job store and its routes, the worker."""
