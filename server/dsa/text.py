"""Text within the Transparency Database's length limits, cut the same way every time."""

from __future__ import annotations

from typing import Iterable


def fit_sentences(sentences: Iterable[str], limit: int, sep: str = " ") -> str:
    """Whole sentences, in order, as many as fit in ``limit`` characters.

    A sentence that does not fit is dropped with all after it, and the text
    says how many were left out, so nothing is cut mid-sentence.
    """
    items = [s.strip() for s in sentences if s and s.strip()]
    for keep in range(len(items), -1, -1):
        text = sep.join(items[:keep])
        left = len(items) - keep
        if left:
            text = f"{text}{sep if text else ''}(+{left} more)"
        if len(text) <= limit:
            return text
    return ""

