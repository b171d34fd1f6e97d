"""UI strings of the meeting feature: key -> (Chinese, English)."""

TEXT: dict[str, tuple[str, str]] = {}
