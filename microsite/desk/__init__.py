"""The desk: the live preview and the review desk in the browser (``python build.py serve``).

``review`` (the review model: segments beside their English, saving one entry), ``app`` (the desk
over HTTP at /_review/), ``http`` (the WSGI pieces the preview and the desk share), ``preview``
(the preview server, file events, live reload), ``livereload_adapter`` (the one module that knows
livereload and tornado), ``templates/`` and ``static/`` of the desk.

May import every stage but ``importing``; nothing imports it but the command line.
"""
