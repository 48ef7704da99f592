"""Mutation testing of the modules that decide (``make mutation``): see README.md."""
