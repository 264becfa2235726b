"""Rich-only drawing shared by both front ends: plots, half-block images, tables, status styles."""
