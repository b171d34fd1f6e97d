"""The Acquisition page's parcel box in an AppTest (its key changes when code picks a parcel)."""

from __future__ import annotations

from geo_app.ui.state import Key


def parcel_box(at):
    """The parcel box of the page ``at`` last ran."""
    (box,) = [b for b in at.selectbox if (b.key or "").startswith(f"{Key.ACQ_PARCEL_BOX}.")]
    return box
