"""Database roles on a PostGIS store: PostgreSQL, not the app, decides who may do what.

Three group roles (``NOLOGIN``; every login is a member of one), created by
``geo-app init --store URL`` when missing (roles are per server, shared by its databases):

- ``geo_viewer``: ``USAGE`` on the schema, ``SELECT`` on every geo_app table.
- ``geo_officer``: a viewer that may ``INSERT`` into ``stage_events`` (the ledger) and
  ``UPDATE`` the columns ``stage`` and ``stage_date`` of ``parcels`` (the copy of the
  ledger's stage the maps draw; its row lock is how concurrent officers queue up). Never
  ``UPDATE``/``DELETE``/``TRUNCATE``/``ALTER`` on the ledger.
- ``geo_admin``: an officer that owns the layer tables (creates, imports into, replaces
  and alters layers: ``CREATE`` on the schema), registers layers in ``geo_app_layers`` and
  appends to ``provenance_events``.

The administrator who runs ``init`` (a role with ``CREATEROLE``) owns the schema's geo_app
tables that are not layers: ``stage_events``, ``provenance_events``, ``geo_app_schema``,
``geo_app_layers`` and the trigger functions. As no group role owns them, no member can
``ALTER TABLE … DISABLE TRIGGER`` or drop them; the append-only triggers hold for everyone
but that owner. The ledger records the connection's ``session_user`` in ``recorded_by``.

The tables live in the connection's current schema (``public`` unless the URL sets a
``search_path``), which the administrator must own or be allowed to grant ``CREATE`` on.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from geo_app.domain.messages import refusal
from geo_app.errors import StoreError
from geo_app.storage._gpkg_sql import quote
from geo_app.storage._ledger_sql import ORDER_DESC, RESERVE_IDS_FUNCTION, known_stages_sql
from geo_app.storage.base import EVENTS_TABLE, PROVENANCE_TABLE, Capability

#: Prefix of the group roles' names (fixed: the names are the documentation).
ROLE_PREFIX = "geo_"
PARCELS = "parcels"
_META_TABLES = ("geo_app_schema", "geo_app_layers")


class AppRole(StrEnum):
    """The group roles, from least to most allowed (each is a member of the one before)."""

    VIEWER = f"{ROLE_PREFIX}viewer"
    OFFICER = f"{ROLE_PREFIX}officer"
    ADMIN = f"{ROLE_PREFIX}admin"


@dataclass(frozen=True)
class RoleSetup:
    """What :func:`setup_roles` did: the roles it created (others existed) and the schema."""

    created: tuple[str, ...]
    schema: str


@dataclass(frozen=True)
class RoleGrant:
    """What :func:`grant_role` did."""

    user: str
    role: AppRole
    #: The user was already a member (nothing changed).
    already: bool
    #: What the user may do now (:class:`~geo_app.storage.base.Capability` values).
    capabilities: frozenset[str]


def _dba_hint(sql: str) -> str:
    return f"ask the database administrator to run `{sql}`"


def _may_create_roles(conn: Connection) -> bool:
    return bool(conn.execute(text(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
    )).scalar())


def _owns_ledger(conn: Connection) -> bool:
    return bool(conn.execute(text(
        "SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c "
        f"WHERE c.oid = to_regclass('{EVENTS_TABLE}')")).scalar())


def _role_exists(conn: Connection, name: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                        {"n": name}).first() is not None


def _is_member(conn: Connection, member: str, role: str) -> bool:
    """Whether ``member`` is a (direct or indirect) member of ``role``."""
    return bool(conn.execute(text("SELECT pg_has_role(:m, :r, 'MEMBER')"),
                             {"m": member, "r": role}).scalar())


def _try(conn: Connection, sql: str, refusal: str) -> None:
    """Run ``sql`` in a savepoint; a database refusal becomes ``StoreError(refusal)``."""
    try:
        with conn.begin_nested():
            conn.execute(text(sql))
    except DBAPIError:
        raise StoreError(refusal) from None


def _create_roles(conn: Connection, location: str) -> tuple[str, ...]:
    missing = [r for r in AppRole if not _role_exists(conn, r)]
    if missing and not _may_create_roles(conn):
        names = ", ".join(missing)
        raise StoreError(
            f"Setting up the geo_app roles in {location} needs an administrator connection "
            f"with CREATEROLE: the roles {names} do not exist and this database user may not "
            "create roles. Connect as a user with CREATEROLE, or "
            + _dba_hint("; ".join(f"CREATE ROLE {r} NOLOGIN" for r in missing))
            + " and try again. Nothing was changed.")
    created = []
    for role in missing:
        try:
            with conn.begin_nested():
                conn.execute(text(f"CREATE ROLE {quote(role)} NOLOGIN"))
            created.append(str(role))
        except DBAPIError:  # another init created it meanwhile
            if not _role_exists(conn, role):
                raise
    chain = list(AppRole)
    for lower, upper in itertools.pairwise(chain):
        if not _is_member(conn, upper, lower):
            _try(conn, f"GRANT {quote(lower)} TO {quote(upper)}",
                 f"Cannot make {upper} a member of {lower} in {location}: "
                 + _dba_hint(f"GRANT {lower} TO {upper}") + ".")
    return tuple(created)


def setup_roles(conn: Connection, location: str) -> RoleSetup:
    """Create the group roles if missing and grant them their privileges (idempotent).

    Runs in ``conn``'s transaction as the owner of the geo_app tables (``init``, and
    :func:`grant_role` when that owner grants). The owner joins ``geo_admin`` so that it
    can hand the layer tables to it.

    Raises
    ------
    StoreError
        A role is missing and the user lacks ``CREATEROLE``, or the schema's ``CREATE``
        cannot be granted (the message says what to ask the database administrator).
    """
    created = _create_roles(conn, location)
    schema = str(conn.execute(text("SELECT current_schema()")).scalar())
    user = str(conn.execute(text("SELECT current_user")).scalar())
    if not _is_member(conn, user, AppRole.ADMIN):
        _try(conn, f"GRANT {quote(AppRole.ADMIN)} TO {quote(user)}",
             f"The owner of the geo_app tables ({user}) must be a member of {AppRole.ADMIN} "
             f"to give it the layers: " + _dba_hint(f"GRANT {AppRole.ADMIN} TO {user}") + ".")
    for role, privilege in ((AppRole.VIEWER, "USAGE"), (AppRole.ADMIN, "CREATE")):
        if not conn.execute(text("SELECT has_schema_privilege(:r, :s, :p)"),
                            {"r": role, "s": schema, "p": privilege}).scalar():
            _try(conn, f"GRANT {privilege} ON SCHEMA {quote(schema)} TO {quote(role)}",
                 f"Cannot grant {privilege} on the schema {schema} in {location} (this user "
                 "does not own it): "
                 + _dba_hint(f"GRANT {privilege} ON SCHEMA {schema} TO {role}") + ".")
    ledgers = [t for t in (EVENTS_TABLE, PROVENANCE_TABLE, *_META_TABLES)
               if conn.execute(text("SELECT to_regclass(:t)"), {"t": t}).scalar() is not None]
    for table in ledgers:
        conn.execute(text(f"REVOKE ALL ON {quote(table)} FROM PUBLIC"))
        conn.execute(text(f"GRANT SELECT ON {quote(table)} TO {quote(AppRole.VIEWER)}"))
    conn.execute(text(f"GRANT INSERT ON {EVENTS_TABLE} TO {quote(AppRole.OFFICER)}"))
    grant_reserve_ids(conn)
    if PROVENANCE_TABLE in ledgers:
        conn.execute(text(f"GRANT INSERT ON {PROVENANCE_TABLE} TO {quote(AppRole.ADMIN)}"))
    conn.execute(text(f"GRANT INSERT, UPDATE ON geo_app_layers TO {quote(AppRole.ADMIN)}"))
    for (layer,) in conn.execute(text("SELECT name FROM geo_app_layers ORDER BY position")):
        adopt_layer(conn, layer)
    return RoleSetup(created, schema)


def grant_reserve_ids(conn: Connection) -> None:
    """Officers may call the ledger's id reservation (:data:`RESERVE_IDS_FUNCTION`), no one
    else but its owner; a no-op where the function or the roles do not exist."""
    signature = f"{RESERVE_IDS_FUNCTION}(bigint)"
    if conn.execute(text("SELECT to_regprocedure(:f)"), {"f": signature}).scalar() is None:
        return
    conn.execute(text(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC"))
    if _role_exists(conn, AppRole.OFFICER):
        conn.execute(text(f"GRANT EXECUTE ON FUNCTION {signature} TO "
                          f"{quote(AppRole.OFFICER)}"))


def roles_exist(conn: Connection) -> bool:
    return all(_role_exists(conn, r) for r in AppRole)


def adopt_layer(conn: Connection, name: str) -> None:
    """Give a layer table to ``geo_admin``: viewers read it, officers update parcel stages.

    Called when a layer is created (in that transaction); a no-op where the roles were
    never set up (a database used by one role only).
    """
    if not roles_exist(conn):
        return
    owner = conn.execute(text("SELECT pg_get_userbyid(relowner) FROM pg_class "
                              "WHERE oid = to_regclass(:t)"), {"t": quote(name)}).scalar()
    user = str(conn.execute(text("SELECT current_user")).scalar())
    if owner != AppRole.ADMIN and _is_member(conn, user, AppRole.ADMIN):
        conn.execute(text(f"ALTER TABLE {quote(name)} OWNER TO {quote(AppRole.ADMIN)}"))
    conn.execute(text(f"GRANT SELECT ON {quote(name)} TO {quote(AppRole.VIEWER)}"))
    if name == PARCELS:
        conn.execute(text(f"GRANT UPDATE (stage, stage_date) ON {PARCELS} TO "
                          f"{quote(AppRole.OFFICER)}"))
        guard_parcel_stages(conn)


#: Officers may update ``parcels.stage``/``stage_date`` only so that the store can copy the
#: ledger's current stage there (and lock the rows): this statement trigger refuses any
#: update by a non-administrator that leaves a parcel's stage or date different from its
#: ledger's last known event, so raw SQL cannot redraw the map without a ledger row.
STAGE_GUARD_FUNCTION = "geo_app_parcel_stage_guard"
STAGE_GUARD_TRIGGER = "parcels_stage_follows_ledger"


def guard_parcel_stages(conn: Connection) -> None:
    """Create (or replace) the parcels' stage guard; idempotent."""
    conn.execute(text(f"""
CREATE OR REPLACE FUNCTION {STAGE_GUARD_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  IF pg_has_role(session_user, '{AppRole.ADMIN}', 'MEMBER')
     OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    RETURN NULL;
  END IF;
  SELECT n.id INTO bad FROM geo_app_new_parcels n
  LEFT JOIN LATERAL (
    SELECT e.to_stage, e.effective_date FROM {EVENTS_TABLE} e
    WHERE e.parcel_id = n.id AND e.to_stage IN {known_stages_sql()}
    ORDER BY {ORDER_DESC} LIMIT 1) last ON true
  WHERE n.stage IS DISTINCT FROM last.to_stage
     OR n.stage_date IS DISTINCT FROM last.effective_date
  LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'parcel % would show a stage its ledger does not have: record a stage '
      'change instead (only geo_admin may edit parcels)', bad
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$"""))
    conn.execute(text(f"DROP TRIGGER IF EXISTS {STAGE_GUARD_TRIGGER} ON {PARCELS}"))
    conn.execute(text(
        f"CREATE TRIGGER {STAGE_GUARD_TRIGGER} AFTER UPDATE ON {PARCELS} "
        "REFERENCING NEW TABLE AS geo_app_new_parcels FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {STAGE_GUARD_FUNCTION}()"))


def capabilities(conn: Connection, user: str | None = None) -> frozenset[str]:
    """What ``user`` (default: the connected user) may do, from the database's privileges."""
    who = "current_user" if user is None else ":u"
    row = conn.execute(text(f"""
        SELECT
          coalesce(has_table_privilege({who}, to_regclass('{EVENTS_TABLE}'), 'SELECT')
                   AND has_table_privilege({who}, to_regclass('geo_app_layers'), 'SELECT'),
                   false),
          coalesce(has_table_privilege({who}, to_regclass('{EVENTS_TABLE}'), 'INSERT')
                   AND coalesce(has_column_privilege({who}, to_regclass('{PARCELS}'),
                                                     'stage', 'UPDATE'), true), false),
          coalesce(has_schema_privilege({who}, current_schema(), 'CREATE')
                   AND has_table_privilege({who}, to_regclass('geo_app_layers'), 'INSERT')
                   AND coalesce(has_table_privilege({who}, to_regclass('{PROVENANCE_TABLE}'),
                                                    'INSERT'), true), false),
          coalesce((SELECT pg_has_role({who}, c.relowner, 'USAGE') FROM pg_class c
                    WHERE c.oid = to_regclass('{EVENTS_TABLE}')), false)
        """), {} if user is None else {"u": user}).one()
    names = (Capability.READ, Capability.RECORD_STAGE, Capability.IMPORT, Capability.ADMIN)
    return frozenset(str(c) for c, ok in zip(names, row, strict=True) if ok)


def require(conn: Connection, capability: Capability) -> None:
    """Refuse with :func:`role_refusal` when the connected user lacks ``capability``."""
    have = capabilities(conn)
    if capability in have:
        return
    user = str(conn.execute(text("SELECT session_user")).scalar())
    raise role_refusal(capability, user, have)


_ACTION = {Capability.READ: "open", Capability.RECORD_STAGE: "record",
           Capability.IMPORT: "import", Capability.ADMIN: "admin"}


def role_refusal(capability: Capability, user: str, have: frozenset[str]) -> StoreError:
    """The refusal of what ``capability`` allows, for ``user`` who has ``have``.

    A sentence in the user's language (code ``role.refused``, rendered by
    :func:`geo_app.domain.messages.render`) naming what the role allows and the group role
    to ask an administrator for, with the ``geo-app grant`` command.
    """
    needed = AppRole.OFFICER if capability is Capability.RECORD_STAGE else AppRole.ADMIN
    if capability is Capability.ADMIN:
        rights = "no_admin"
    elif Capability.RECORD_STAGE in have:
        rights = "record"
    elif Capability.READ in have:
        rights = "read"
    else:
        rights = "none"
        needed = AppRole.VIEWER
    return refusal(StoreError, "role.refused", {"action": _ACTION[capability], "user": user,
                                                 "rights": rights, "needed": str(needed)})


def _app_role(role: str) -> AppRole:
    try:
        return AppRole(str(role).strip())
    except ValueError:
        raise StoreError(f"'{role}' is not a geo_app role; use one of "
                         f"{', '.join(AppRole)}.") from None


def grant_role(location: str, user: str, role: str) -> RoleGrant:
    """Make the database login ``user`` a member of the group role ``role``.

    What ``geo-app grant USER ROLE --store URL`` calls, with an administrator's URL (a
    user with ``CREATEROLE``). Creates the group roles first if they are missing (and, when
    the connected user owns the geo_app tables, renews their grants). Print e.g.
    ``granted geo_officer to alice: read, record_stage`` (``already`` → "already had").

    Raises
    ------
    StoreError
        ``location`` is not a PostGIS URL; ``role`` is not one of :class:`AppRole`; the
        login does not exist; the connected user lacks ``CREATEROLE`` (the message says what
        to ask the database administrator); the database is not initialised.
    """
    from geo_app.storage.init import is_database_url
    from geo_app.storage.postgis import PostGISStore

    if not is_database_url(location or ""):
        raise StoreError("Roles exist only in a PostGIS store: give its postgresql:// URL "
                         "with --store. A GeoPackage is a single-user file.")
    app_role = _app_role(role)
    user = str(user or "").strip()
    if not user:
        raise StoreError("Say which database user to grant the role to.")
    store = PostGISStore(location)
    try:
        with store.transaction(f"grant {app_role} to {user}") as conn:
            if not _may_create_roles(conn):
                raise StoreError(
                    f"Granting roles needs an administrator connection with CREATEROLE; the "
                    f"user of {store.location} lacks it. Connect as such a user, or "
                    + _dba_hint(f"GRANT {app_role} TO {user}") + ". Nothing was changed.")
            if user in set(AppRole):
                raise StoreError(f"{user} is a geo_app group role; grant roles to a login.")
            if not _role_exists(conn, user):
                raise StoreError(
                    f"There is no database user '{user}'. Create the login first: "
                    + _dba_hint(f"CREATE ROLE {user} LOGIN PASSWORD '…'") + ".")
            if _owns_ledger(conn):
                setup_roles(conn, store.location)
            else:
                _create_roles(conn, store.location)
            already = conn.execute(text(
                "SELECT 1 FROM pg_auth_members m WHERE m.roleid = to_regrole(:r) "
                "AND m.member = to_regrole(:u)"), {"r": str(app_role), "u": quote(user)}
            ).first() is not None
            if not already:
                conn.execute(text(f"GRANT {quote(app_role)} TO {quote(user)}"))
            have = capabilities(conn, user)
    finally:
        store.close()
    return RoleGrant(user, app_role, already, have)


def revoke_role(location: str, user: str, role: str) -> bool:
    """Remove ``user`` from ``role`` (``geo-app grant --revoke``); ``False`` if not a member.

    Same connection requirements and errors as :func:`grant_role`.
    """
    from geo_app.storage.postgis import PostGISStore

    app_role = _app_role(role)
    store = PostGISStore(location)
    try:
        with store.transaction(f"revoke {app_role} from {user}") as conn:
            if not _may_create_roles(conn):
                raise StoreError(
                    "Revoking roles needs an administrator connection with CREATEROLE: "
                    + _dba_hint(f"REVOKE {app_role} FROM {user}") + ".")
            member = conn.execute(text(
                "SELECT 1 FROM pg_auth_members m WHERE m.roleid = to_regrole(:r) "
                "AND m.member = to_regrole(:u)"), {"r": str(app_role), "u": quote(user)}
            ).first() is not None
            if member:
                conn.execute(text(f"REVOKE {quote(app_role)} FROM {quote(user)}"))
    finally:
        store.close()
    return member
