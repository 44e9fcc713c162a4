"""Reading a %klong line: the leading options, then Klong verbatim.

IPython's usual way (shlex-split the whole line, let argparse take what it knows) would eat
Klong code: `-1+2` looks like an option, and splitting loses the spacing inside strings.
So only the options at the front are taken, token by token, and the first token that is not
one of the magic's own flags starts the code, which is returned exactly as written.
"""
import re

from IPython.core.error import UsageError

_TOKEN = re.compile(r"\s*(\S+)")


def split_leading(line, flags):
    """(option tokens, code) for a magic's line.

    `flags` maps each option string ("-i", "--input", ...) to whether it takes a value. A
    value is the next whitespace-separated token, or follows `=` in a long option
    (--device=cpu). `--` ends the options explicitly, for code that begins like a flag.
    """
    code = line.lstrip()
    if not code.startswith("-"):
        return [], code             # the usual line: every flag begins with "-"
    tokens = []
    pos = 0
    while True:
        m = _TOKEN.match(line, pos)
        if m is None:
            return tokens, ""
        word = m.group(1)
        if word == "--":
            return tokens, line[m.end():].lstrip()
        flag = word.split("=", 1)[0] if word.startswith("--") else word
        if flag not in flags:
            return tokens, line[m.start(1):]
        tokens.append(word)
        pos = m.end()
        if flags[flag] and "=" not in word:
            value = _TOKEN.match(line, pos)
            if value is None:
                return tokens, ""           # argparse reports the missing value
            tokens.append(value.group(1))
            pos = value.end()


def name_pairs(specs):
    """[(target, source)] from option values such as ["a,b", "k=p"]: `k=p` gives p the
    name k on the other side, and a bare name keeps its own name."""
    pairs = []
    for spec in specs or ():
        for item in spec.split(","):
            item = item.strip()
            if not item:
                continue
            target, eq, source = (part.strip() for part in item.partition("="))
            if not target or (eq and not source):
                raise UsageError(f"%klong: {item!r} is not a name or a target=source pair")
            pairs.append((target, source or target))
    return pairs
