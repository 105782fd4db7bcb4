"""Publishing: articles and catalogs → the static site.

``localize`` (an article in one language), ``typography``, ``render`` (Markdown, sanitiser, Jinja),
``pages`` and ``urls`` (what each page shows, and where), ``lists`` (home, tag and archive pages),
``images`` (photo sizes and variants), ``search`` (the search index), ``records`` and
``manifest`` (what a build keeps for the next), ``builder`` (gather and validate, then write and
swap in).

May import ``errors``, ``text``, ``inline``, ``files``, ``parallel``, ``cache``, ``content`` and
``translation`` (catalogs, QA; never ``translation.machine``); never ``importing`` or ``desk``.
"""
