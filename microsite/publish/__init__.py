"""Publishing: articles and catalogs → the static site.

``localize`` (an article in one language), ``render`` (Markdown, sanitiser, Jinja), ``pages`` (what
each page shows), ``images`` (photo sizes and variants), ``urls``, ``parallel`` (work over the
cores), ``builder`` (gather and validate, then write and swap in). May import ``content`` and
``translation`` (catalogs, QA; never the engine); never ``desk``.
"""
