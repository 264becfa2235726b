"""The ``nntui`` terminal app: a hyperparameter form, training in a worker thread, live plots.

The UI stays thin: every number it shows comes from the engine's events, turned into messages by
:mod:`nntui.tui.controllers.training` on the worker thread, so the app's thread only draws.
"""
