"""``escape_script_json`` (chained ``str.replace``) against the former ``str.translate``
table on a large map-like JSON payload; the same answer is asserted, the ratio printed.

    python benchmarks/textsafe_escape.py
"""

from __future__ import annotations

import json
import random
import time

from geo_app.textsafe import escape_script_json

_OLD_TABLE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                            "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _payload(n: int) -> str:
    rng = random.Random(1)
    features = [{"type": "Feature", "properties": {
        "name": f"地块{i}" + ("<b>&</b>" if i % 97 == 0 else ""), "area_mu": rng.random() * 50},
        "geometry": {"type": "Polygon", "coordinates": [[[113.4 + rng.random(), 31.6 +
                     rng.random()] for _ in range(12)]]}} for i in range(n)]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _best(fn, text: str, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    text = _payload(20_000)
    assert escape_script_json(text) == text.translate(_OLD_TABLE)
    new = _best(escape_script_json, text)
    old = _best(lambda s: s.translate(_OLD_TABLE), text)
    print(f"payload {len(text) / 1e6:.1f} M chars: replace {new * 1e3:.1f} ms, "
          f"translate {old * 1e3:.1f} ms, ratio {old / new:.1f}x")


if __name__ == "__main__":
    main()
