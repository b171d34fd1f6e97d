"""UI strings of the deploy feature: key -> (Chinese, English)."""

TEXT: dict[str, tuple[str, str]] = {}
