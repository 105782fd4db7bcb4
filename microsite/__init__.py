"""A bilingual (Vietnamese → English) news microsite generator.

The pipeline, one module per step: ``config`` (site.toml) → ``article`` (index.md →
:class:`~microsite.article.Article`) → ``catalog`` (en.po → :class:`~microsite.catalog.Catalog`)
→ ``localize`` (one page per language) → ``render`` (Jinja, Markdown, sanitiser) → ``build``
(gather, then write into a temporary folder swapped in at the end).
"""
