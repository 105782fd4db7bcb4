"""The desk: the live preview and the review desk in the browser (``python build.py serve``).

``review`` (the review model: segments beside their English, saving one entry), ``app`` (the desk
over HTTP at /_review/), ``preview`` (the preview server, file events, live reload), ``templates/``
and ``static/`` of the desk. Sits on top of every other stage; nothing imports it but the CLI.
"""
