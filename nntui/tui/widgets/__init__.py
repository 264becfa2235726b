"""The dashboard's widgets, one module per area: form, plots, status line and epoch log."""
