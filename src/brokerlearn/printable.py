"""Text that others chose (an e-mail address, a name, a path in a request), made safe to print
on a terminal or into a log: the one rule the command line and the request log share."""
from __future__ import annotations

import re

# C0 and C1 controls (ESC starts the terminal's escape sequences, BEL ends its title sequences),
# DEL, line and paragraph separators, the bidirectional overrides and isolates, and the
# backslash, so that an escape written out cannot be mistaken for one in the text.
_NOT_FOR_TERMINALS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]")


def printable(text: object) -> str:
    """Each control character written as a visible escape (ESC as \\x1b, a backslash doubled)."""
    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return "\\\\" if code == 0x5C else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return _NOT_FOR_TERMINALS.sub(escape, str(text))
