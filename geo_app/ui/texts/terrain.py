"""UI strings of the terrain feature: key -> (Chinese, English)."""

TEXT: dict[str, tuple[str, str]] = {}
