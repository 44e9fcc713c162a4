"""klongtorch.parse: program text to trees.

Tokens with their source spans, and whether a text is complete or quiet (lexer.py); the
AST, each node with its span (parser.py); program files read as kg reads them (sources.py);
the Pygments lexer for Klong (highlight.py).

May import: klongtorch.value, klongtorch.runtime.
"""
