"""Content: what the newsroom writes, read and validated.

``config`` (site.toml), ``discovery`` (where the articles are, slug rules), ``article`` (index.md →
:class:`~microsite.content.article.Article`), ``blocks`` (the Markdown body → blocks and segments),
``markup`` (broken inline Markdown in the Vietnamese), ``scaffold`` (new articles, NFC re-saving),
``placeholder`` (labelled placeholder photos: made by import, recognised by the build).

May import ``errors``, ``text``, ``inline``, ``files`` and ``parallel``: nothing here knows of
translations, pages or the desk, and nothing here writes HTML.
"""
