"""Screens shown over the dashboard: help, confirmation, and the too-small-terminal notice."""
