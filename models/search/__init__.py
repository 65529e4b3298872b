"""Full-text search over what each user may read.

- ``text``: words, accent folding, French stemming and stop words, as both engines see them;
- ``syntax``: the query language (words, "phrases", -exclusions, OR) parsed into a tree;
- ``columns``: the ``search_terms`` column each searchable row carries, and its upkeep;
- ``engines``: the tree rendered for PostgreSQL (tsvector, GIN) or SQLite (FTS5);
- ``query``: the search of tickets, with its filters and the permissions inside the query;
- ``faq``: the search of FAQ entries, the second kind of document, the same way;
- ``snippets``: highlighted extracts, as plain segments the templates escape;
- ``index``: rebuilding the whole index.

This package imports nothing at load time: ``models.tickets`` and ``models.faq`` use
``columns``.
"""
