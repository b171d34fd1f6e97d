"""The ledger's questions as SQL, one text for both stores (SQLite ≥ 3.25 and PostgreSQL).

Every query follows the rule of :func:`geo_app.domain.workflow.derive_states` and
:func:`geo_app.analysis.progress.stages_as_of`: on a date, a parcel is at the stage of its
last event in effect, ordered by effective date, then recording time, then event id. Both
stores keep ``effective_date`` and ``recorded_at`` in an order-preserving form (ISO text in
a GeoPackage, ``date``/``timestamp`` in PostGIS), so the order is the one of the columns.

Indexes the queries need (both stores, created by :data:`LEDGER_INDEXES` on a new store and
by the schema step on an older one):

- ``stage_events_asof_idx`` on ``stage_events (parcel_id, effective_date, recorded_at,
  event_id, to_stage)``: a parcel's history, its version, the last event per parcel on or
  before a date (read from the index alone);
- ``stage_events_event_idx`` on ``stage_events (event_id)`` (GeoPackage: the next id;
  PostGIS has it as the primary key);
- ``parcels_id_idx`` on ``parcels (id)``: the existence check and the stage update.
"""

from __future__ import annotations

from geo_app.domain.stages import STAGE_ORDER
from geo_app.storage.base import EVENTS_TABLE

#: The ledger's order, newest first: a parcel's current stage is its first known row.
ORDER_DESC = "effective_date DESC, recorded_at DESC, event_id DESC"

ASOF_INDEX = "stage_events_asof_idx"
EVENT_ID_INDEX = "stage_events_event_idx"
PARCELS_ID_INDEX = "parcels_id_idx"

#: ``CREATE INDEX IF NOT EXISTS`` of the ledger's indexes (PostgreSQL adds ``INCLUDE``).
ASOF_INDEX_SQL = (f"CREATE INDEX IF NOT EXISTS {ASOF_INDEX} ON {EVENTS_TABLE} "
                  "(parcel_id, effective_date, recorded_at, event_id, to_stage)")
EVENT_ID_INDEX_SQL = (f"CREATE INDEX IF NOT EXISTS {EVENT_ID_INDEX} ON {EVENTS_TABLE} "
                      "(event_id)")
PARCELS_ID_INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {PARCELS_ID_INDEX} ON parcels (id)"

#: PostgreSQL: ``geo_app_reserve_event_ids(n)`` takes ``n`` consecutive ``event_id`` values
#: from the ledger's identity sequence and returns the first. A bulk write then COPYs its
#: rows with their ids in the as-of index's order (a COPY in batch order inserts into that
#: index all over it) and no sequence call per row. ``ALTER SEQUENCE`` holds off every other
#: ``nextval`` until its transaction ends, so the caller runs it in a transaction of its own
#: (the ids are taken at once, not when the batch commits; a refused batch leaves a gap, as
#: a rolled-back insert does). ``SECURITY DEFINER``: officers may call it (``EXECUTE``),
#: not alter the sequence.
RESERVE_IDS_FUNCTION = "geo_app_reserve_event_ids"
RESERVE_IDS_SQL = f"""
CREATE OR REPLACE FUNCTION {RESERVE_IDS_FUNCTION}(n bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE seq text := pg_get_serial_sequence(
  quote_ident(current_schema()) || '.{EVENTS_TABLE}', 'event_id');
DECLARE last bigint;
BEGIN
  IF n IS NULL OR n < 1 THEN
    RAISE EXCEPTION 'reserve at least one event id';
  END IF;
  EXECUTE format('ALTER SEQUENCE %s INCREMENT BY %s', seq, n);
  last := nextval(seq);
  EXECUTE format('ALTER SEQUENCE %s INCREMENT BY 1', seq);
  RETURN last - n + 1;
END $$"""


def known_stages_sql() -> str:
    """``('pre_notice', …)``: the stage codes geo_app knows, as an SQL list."""
    return "(" + ", ".join(f"'{s.value}'" for s in STAGE_ORDER) + ")"


def _known(known_only: bool, prefix: str = "AND") -> str:
    return f" {prefix} to_stage IN {known_stages_sql()}" if known_only else ""


def stages_as_of_sql(param: str, *, known_only: bool) -> str:
    """``parcel_id, to_stage`` of each parcel's last event in effect on the date ``param``.

    One window over the events on or before the date: the form for a store without the
    as-of index. Parcels without such an event are not in the result (not started).
    """
    return (
        f"SELECT parcel_id, to_stage FROM (SELECT parcel_id, to_stage, row_number() OVER "
        f"(PARTITION BY parcel_id ORDER BY {ORDER_DESC}) AS rn FROM {EVENTS_TABLE} "
        f"WHERE effective_date <= {param}{_known(known_only)}) AS last_events WHERE rn = 1"
    )


def stage_on_sql(ids: str, param: str, *, known_only: bool) -> str:
    """``parcel_id, to_stage`` on the date ``param`` of each parcel listed by ``ids`` (a
    subquery with a ``parcel_id`` column), the stage ``NULL`` before its first event.

    Per parcel one descent of the as-of index to the last entry on or before the date
    (``ORDER BY … DESC LIMIT 1`` read backwards from ``(parcel_id, date)``): the
    fastest form once the index exists, e.g. 100k parcels / 800k events in a quarter of
    the time of one window over the events in SQLite.
    """
    return (
        f"SELECT ids.parcel_id, (SELECT e.to_stage FROM {EVENTS_TABLE} AS e WHERE "
        f"e.parcel_id = ids.parcel_id AND e.effective_date <= {param}"
        f"{_known(known_only).replace('to_stage', 'e.to_stage')} ORDER BY "
        "e.effective_date DESC, e.recorded_at DESC, e.event_id DESC LIMIT 1) AS to_stage "
        f"FROM {ids} AS ids"
    )


def net_land_steps_sql(net_stages: tuple[str, ...], *, known_only: bool) -> str:
    """``parcel_id, day, step``: where a parcel enters (+1) or leaves (−1) net land.

    The stage in effect at the end of each event day is the day's last event; a step is a
    change of "net land or later" from the day before (from none for the first day), as
    :func:`geo_app.analysis.timeline.net_land_changes` computes it.
    """
    net = "(" + ", ".join(f"'{s}'" for s in net_stages) + ")"
    return (
        "WITH days AS (SELECT parcel_id, effective_date AS day, to_stage, row_number() OVER "
        "(PARTITION BY parcel_id, effective_date ORDER BY recorded_at DESC, event_id DESC) "
        f"AS rn FROM {EVENTS_TABLE}{_known(known_only, 'WHERE')}), "
        f"flags AS (SELECT parcel_id, day, CASE WHEN to_stage IN {net} THEN 1 ELSE 0 END "
        "AS net FROM days WHERE rn = 1), "
        "steps AS (SELECT parcel_id, day, net - coalesce(lag(net) OVER (PARTITION BY "
        "parcel_id ORDER BY day), 0) AS step FROM flags) "
        "SELECT parcel_id, day, step FROM steps WHERE step <> 0"
    )


def states_sql(ids_table: str) -> str:
    """:data:`~geo_app.domain.workflow.STATE_COLUMNS` of the parcels listed in ``ids_table``
    (a table or subquery with a ``parcel_id`` column) that have events: the last event
    with a known stage and the number of events (known or not)."""
    return (
        f"WITH batch AS (SELECT DISTINCT parcel_id FROM {ids_table}), "
        f"mine AS (SELECT e.parcel_id, e.to_stage, e.effective_date, e.recorded_at, "
        f"e.event_id FROM {EVENTS_TABLE} e JOIN batch b ON e.parcel_id = b.parcel_id), "
        "counts AS (SELECT parcel_id, count(*) AS version FROM mine GROUP BY parcel_id), "
        "last AS (SELECT parcel_id, to_stage, effective_date, row_number() OVER "
        f"(PARTITION BY parcel_id ORDER BY {ORDER_DESC}) AS rn FROM mine WHERE "
        f"to_stage IN {known_stages_sql()}) "
        "SELECT c.parcel_id, l.to_stage AS stage, l.effective_date AS stage_date, c.version "
        "FROM counts c LEFT JOIN last l ON l.parcel_id = c.parcel_id AND l.rn = 1"
    )


def all_states_sql() -> str:
    """:data:`~geo_app.domain.workflow.STATE_COLUMNS` of every parcel with events."""
    return (
        f"WITH counts AS (SELECT parcel_id, count(*) AS version FROM {EVENTS_TABLE} "
        "GROUP BY parcel_id), "
        "last AS (SELECT parcel_id, to_stage, effective_date, row_number() OVER "
        f"(PARTITION BY parcel_id ORDER BY {ORDER_DESC}) AS rn FROM {EVENTS_TABLE} "
        f"WHERE to_stage IN {known_stages_sql()}) "
        "SELECT c.parcel_id, l.to_stage AS stage, l.effective_date AS stage_date, c.version "
        "FROM counts c LEFT JOIN last l ON l.parcel_id = c.parcel_id AND l.rn = 1"
    )


def events_where_sql(*, parcel_param: str | None, until_param: str | None,
                     unknown_only: bool) -> str:
    """``WHERE …`` (or ``""``) of :meth:`~geo_app.storage.base.LayerStore.read_events`:
    one parcel's events, those in effect before the date ``until_param`` (exclusive: a
    GeoPackage passes the next day, so a date stored with a time still counts), and/or
    only those whose stage is not a known code (``NULL`` included)."""
    parts = []
    if parcel_param is not None:
        parts.append(f"parcel_id = {parcel_param}")
    if until_param is not None:
        parts.append(f"effective_date < {until_param}")
    if unknown_only:
        parts.append(f"(to_stage IS NULL OR to_stage NOT IN {known_stages_sql()})")
    return ("WHERE " + " AND ".join(parts)) if parts else ""


def span_sql(*, known_only: bool) -> str:
    """The first and last effective date in the ledger (NULLs when it is empty)."""
    return (f"SELECT min(effective_date), max(effective_date) FROM {EVENTS_TABLE}"
            f"{_known(known_only, 'WHERE')}")
