"""A bilingual (Vietnamese → English) news microsite generator.

Stage packages, in the order data flows; each may import the ones before it, never one after
(``tests/test_layout.py`` holds the rule, and each package's docstring names what it may import):

- shared modules: ``errors`` (the user-error type), ``text`` (forbidden characters, YAML),
  ``inline`` (inline Markdown: rendered, broken syntax found), ``files`` (every file read and
  write: regular files only, atomic race-free saves, the site swap), ``parallel`` (forked workers),
  ``cache`` (``.cache/``: sealed files, stamps, versions, the one "too recent to trust" window);
- ``content``: site.toml, articles, their blocks and segments, new articles;
- ``importing``: articles from saved pages and scrapes;
- ``translation``: en.po catalogs, merging, QA, the translate command, the engine;
- ``publish``: the static site (localize, render, pages, lists, images, search, the builder);
- ``desk``: ``serve``'s preview and the review desk.
"""
