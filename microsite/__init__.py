"""A bilingual (Vietnamese → English) news microsite generator.

The pipeline, one module per step: ``config`` (site.toml) → ``article`` (index.md →
:class:`~microsite.article.Article`) → ``catalog`` (en.po → :class:`~microsite.catalog.Catalog`)
→ ``localize`` (one page per language) → ``render`` (Jinja, Markdown, sanitiser) → ``builder``
(gather, then write into a temporary folder swapped in at the end). Every stage reads and writes
files through ``files`` (regular files only, atomic and race-free saves, the site swap).
"""
