"""Text made safe for a terminal: control characters (C0, DEL, C1, so ESC, OSC, BEL and a
bare CR) and bidirectional overrides shown as visible escapes, so that data from a server
cannot clear the screen, retitle the terminal or draw lines that are not there."""

from __future__ import annotations

# Unicode's bidirectional formatting characters: they reorder what follows on the line.
BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
# Line and paragraph separators: some terminals break the line on them.
SEPARATORS = (0x2028, 0x2029)
CONTROLS = (*range(0x00, 0x20), *range(0x7F, 0xA0))


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# One table for str.translate: the whole string in one pass, in C.
VISIBLE = {code: _escape(code) for code in (*CONTROLS, *BIDI, *SEPARATORS)}
# For JSON written to a terminal: the same characters as JSON escapes (the same value).
# Inside JSON text they can only occur in strings, where \\uXXXX means them exactly.
JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0), *BIDI, *SEPARATORS)}


def visible(text: str) -> str:
    """`text` with every control and bidi character as an escape (`\\x1b`, `\\u202e`)."""
    return text.translate(VISIBLE)


def json_for_terminal(text: str) -> str:
    """JSON text (C0 already escaped by the encoder) with DEL, C1, bidi and separators
    escaped too: still the same JSON value."""
    return text.translate(JSON_ESCAPES)
