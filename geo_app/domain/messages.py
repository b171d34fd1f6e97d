"""Refusals in the user's language: a catalogue of message codes and :func:`render`.

A refusal is raised with a code and parameters (:func:`refusal`); ``str(error)`` stays
the English text that logs, scripts and the tests read, with stages written as
``status_survey (现状调查)``. :func:`render` gives the same message in Chinese or English
for a person, with stages as their labels (``现状调查`` / ``Land status survey``), never
their codes.

Parameters are plain values: parcel ids and names (``str``), dates (``datetime.date``),
counts (``int``), stages (:class:`~geo_app.domain.stages.ParcelStage`, ``None`` for "no
stage", or a code another tool wrote that is not a known stage) and lists of those. How a
parameter is shown depends on its name: names in :data:`STAGE_PARAMS` are stages,
``field`` is an event field (:data:`FIELD_LABELS`).

Calling it
----------
``render(error, lang)`` with ``lang`` ``"zh"`` or ``"en"``; an error without a known code
renders as ``str(error)``, so callers can render every :class:`~geo_app.errors.GeoAppError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from typing import TypeVar

from geo_app.domain.stages import ParcelStage
from geo_app.errors import GeoAppError

E = TypeVar("E", bound=GeoAppError)

_CORRECTION_ZH = "或作为更正登记并说明原因"
_CORRECTION_EN = "record it as a correction with a reason"
_RELOAD_ZH = "请重新加载该地块；如仍需变更，请再次登记。"
_RELOAD_EN = "Reload the parcel and record your change again if it still applies."


@dataclass(frozen=True)
class Message:
    """One message in Chinese and English; ``{name}`` placeholders name parameters."""

    zh: str
    en: str


#: Message code → templates. Every refusal of the workflow and the ledger is here.
CATALOGUE: dict[str, Message] = {
    # the free text of an event (geo_app.domain.ledger_text)
    "text.control_character": Message(
        "“{field}”一栏含有控制字符（{char}），位于第 {position} 个字符。"
        "请删除该字符（建议重新输入，不要粘贴）后再试。",
        "The {field} contains a control character ({char}) at position {position}. "
        "Remove it (retype the text rather than pasting it) and try again.",
    ),
    "text.too_long": Message(
        "“{field}”一栏过长：{length} 个字符，最多 {max_chars} 个。"
        "请缩短到 {max_chars} 个字符以内。",
        "The {field} is {length} characters long; at most {max_chars} are allowed. "
        "Shorten it to {max_chars} characters or fewer.",
    ),
    # the fields of a change (geo_app.domain.workflow)
    "change.parcel_missing": Message(
        "阶段变更须填写地块编号。",
        "A stage change needs a parcel id.",
    ),
    "change.officer_missing": Message(
        "地块 {parcel}：请填写本次阶段变更的经办人。",
        "Parcel {parcel}: give the officer's name for this stage change.",
    ),
    "change.reason_missing": Message(
        "地块 {parcel}：更正须填写更正原因，说明原记录哪里有误。",
        "Parcel {parcel}: a correction needs a reason; say what was wrong.",
    ),
    "change.date_in_future": Message(
        "地块 {parcel}：生效日期 {date} 晚于今天（{today}）。请在该阶段实际完成后再登记。",
        "Parcel {parcel}: effective date {date} is in the future (today is {today}). "
        "Record a stage when it has happened.",
    ),
    # the workflow's order of stages
    "transition.stale_stage": Message(
        "地块 {parcel} 当前为{current}，而不是{from_stage}。"
        "请重新加载该地块，从其当前阶段开始变更。",
        "Parcel {parcel} is at {current}, not {from_stage}. "
        "Reload the parcel and start the change from its current stage.",
    ),
    "transition.date_before_current": Message(
        "地块 {parcel}：生效日期 {date} 早于其当前阶段{current}的日期 {current_date}。"
        "请将日期定为 {current_date} 或之后（同一天登记的更正会覆盖先前的记录）。",
        "Parcel {parcel}: effective date {date} is before its current stage {current} of "
        "{current_date}. Date the change {current_date} or later (a correction on the "
        "same day overrides the earlier event).",
    ),
    "transition.already_at": Message(
        "地块 {parcel} 已处于{stage}，无需登记。",
        "Parcel {parcel} is already at {stage}; nothing to record.",
    ),
    "transition.first_stage": Message(
        "地块 {parcel} 尚无阶段记录：第一个阶段须为{first}，而不是{target}。"
        "缺少的阶段：{missing}。请按顺序逐个阶段登记（每个阶段一条记录），"
        + _CORRECTION_ZH + "。",
        "Parcel {parcel} has no history yet: its first stage must be {first}, not "
        "{target}. Missing stage(s): {missing}. Record them in order, one event per "
        "stage, or " + _CORRECTION_EN + ".",
    ),
    "transition.backwards": Message(
        "地块 {parcel} 不能从{current}退回到{target}：阶段只能向前推进。"
        "如原记录有误，请作为更正登记并说明原因。",
        "Parcel {parcel} cannot go back from {current} to {target}: stages only move "
        "forward. If the earlier record was wrong, " + _CORRECTION_EN + ".",
    ),
    "transition.skipped": Message(
        "地块 {parcel} 不能从{current}直接变为{target}：这会跳过必经阶段：{missing}。"
        "请按顺序逐个阶段登记（每个阶段一条记录），" + _CORRECTION_ZH + "。",
        "Parcel {parcel} cannot go from {current} to {target}: that skips the required "
        "stage(s) {missing}. Record each stage in turn (one event per stage), or "
        + _CORRECTION_EN + ".",
    ),
    # the ledger's batch, parcels and versions (geo_app.storage.events)
    "batch.empty": Message(
        "没有要登记的阶段变更。",
        "No stage changes to record.",
    ),
    "parcel.unknown": Message(
        "地块图层中没有地块 {parcels}。请核对地块编号。",
        "No parcel {parcels} in the parcels layer. Check the parcel id.",
    ),
    "version.missing": Message(
        "地块 {parcel}：请说明本次变更基于该地块的哪个版本（您看到的记录条数），"
        "以便发现他人同时所做的修改。",
        "Parcel {parcel}: say which version of the parcel the change is based on (the "
        "number of events you saw), so a concurrent change is detected.",
    ),
    "conflict.changed": Message(
        "您读取地块 {parcel} 之后，{officer} 于 {recorded_at} 修改了它"
        "（{from_stage} → {to_stage}，生效日期 {effective_date}）：您看到的是版本 "
        "{expected}，现在是版本 {stored}，阶段为{newest}。" + _RELOAD_ZH,
        "Parcel {parcel} was changed by {officer} at {recorded_at} ({from_stage} → "
        "{to_stage}, effective {effective_date}) after you read it: you had version "
        "{expected}, it is now version {stored} at stage {newest}. " + _RELOAD_EN,
    ),
    "conflict.changed_more": Message(
        "您读取地块 {parcel} 之后，{officer} 于 {recorded_at} 修改了它"
        "（{from_stage} → {to_stage}，生效日期 {effective_date}），此后又有 {more} 次修改："
        "您看到的是版本 {expected}，现在是版本 {stored}，阶段为{newest}。" + _RELOAD_ZH,
        "Parcel {parcel} was changed by {officer} at {recorded_at} ({from_stage} → "
        "{to_stage}, effective {effective_date}), then {more} more change(s), after you "
        "read it: you had version {expected}, it is now version {stored} at stage "
        "{newest}. " + _RELOAD_EN,
    ),
    "conflict.version": Message(
        "地块 {parcel} 的版本为 {stored}（共 {stored} 条记录），而不是 {expected}。"
        + _RELOAD_ZH,
        "Parcel {parcel} has version {stored} ({stored} events), not {expected}. "
        + _RELOAD_EN,
    ),
    # reading a stage (geo_app.domain.stages.parse_stage)
    "stage.unknown": Message(
        "未知的征地阶段“{value}”。请使用以下之一：{known}。",
        "Unknown acquisition stage '{value}'. Use one of: {known}.",
    ),
    # a PostGIS store's database roles (geo_app.storage.roles.role_refusal)
    "role.refused": Message(
        "无法{action}：您的数据库账号（{user}）{rights}。请管理员授予 {needed} 角色"
        "（`geo-app grant {user} {needed} --store URL`）。未作任何更改。",
        "Cannot {action}: your database role ({user}) {rights}: ask an administrator to "
        "grant {needed} (`geo-app grant {user} {needed} --store URL`). Nothing was changed.",
    ),
    # a store URL that cannot be used (geo_app.secrets.malformed_url_error): never quoted
    "url.malformed": Message(
        "给出的数据库地址（--store 或 GEO_APP_STORE）不是可用的 PostgreSQL URL：{problem}。"
        "请写成 postgresql://USER:PASSWORD@HOST:PORT/DATABASE，用户名或密码中的 "
        "@ : / # ? % 须按百分号编码（@ 写作 %40）。",
        "The store URL given (--store or GEO_APP_STORE) is not a usable PostgreSQL URL: "
        "{problem}. Write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE, with any "
        "@ : / # ? or % in the user or password percent-encoded (@ is %40).",
    ),
    # the environment (geo_app.storage._gpkg_sql.environment_error, storage.workspace)
    "env.busy": Message(
        "{path} 正被另一个程序写入，已等待超过 {seconds} 秒。{nothing}请稍后再试。",
        "{path} is busy: another writer held it for more than {seconds} s.{nothing} "
        "Try again.",
    ),
    "env.read_only": Message(
        "{path} 是只读的：当前用户不能写入该文件或其所在文件夹（{reason}）。{nothing}"
        "请把文件及其文件夹设为可写（检查权限、只读磁盘或共享文件夹），或用 --store 在副本上操作。",
        "{path} is read-only: this user may not write the file or its folder ({reason})."
        "{nothing} Make the file and its folder writable (permissions, a read-only disk or "
        "share), or work on a copy with --store.",
    ),
    "env.disk_full": Message(
        "{path} 所在的磁盘已满。{nothing}请释放一些空间后再试。",
        "The disk holding {path} is full.{nothing} Free some space and try again.",
    ),
    "env.home_is_file": Message(
        "GEO_APP_HOME（{home}）是一个文件而不是文件夹，无法在其中创建工作区。"
        "请把 GEO_APP_HOME 指向一个可写的文件夹（不存在时会自动创建），"
        "或用 --store / GEO_APP_STORE 打开一个数据库。",
        "GEO_APP_HOME ({home}) is a file, not a folder, so the workspace cannot be created "
        "in it. Point GEO_APP_HOME at a folder you can write (it is created if missing), "
        "or open a store with --store / GEO_APP_STORE.",
    ),
    # one-page briefs (geo_app.briefs, geo-app brief, the brief widget)
    "brief.layer_missing": Message(
        "数据库中没有本简报所需的图层“{layer}”。请先导入该图层，或选择含有该图层的数据库（--store）。",
        "The store has no layer '{layer}', which this brief needs. Import it, or choose a "
        "store that has it (--store).",
    ),
    "brief.village_name_missing": Message(
        "请指定要生成简报的村庄，例如 geo-app brief village {example}。",
        "Name the village to brief, e.g. geo-app brief village {example}.",
    ),
    "brief.park_name_missing": Message(
        "请指定要生成简报的园区，例如 geo-app brief park {example}。",
        "Name the park to brief, e.g. geo-app brief park {example}.",
    ),
    "brief.village_unknown": Message(
        "没有名为“{name}”的村庄。村庄图层共有 {count} 个村庄，"
        "可用 geo-app layers 或“图层”页面查看。",
        "There is no village named {name!r}. The layer has {count} villages; list them "
        "with `geo-app layers` or the Layers page.",
    ),
    "brief.village_unknown_near": Message(
        "没有名为“{name}”的村庄。您要找的是否为：{near}？",
        "There is no village named {name!r}. Did you mean: {near}?",
    ),
    "brief.park_unknown": Message(
        "没有名为“{name}”的园区。园区图层共有 {count} 个园区，"
        "可用 geo-app layers 或“图层”页面查看。",
        "There is no park named {name!r}. The layer has {count} parks; list them with "
        "`geo-app layers` or the Layers page.",
    ),
    "brief.park_unknown_near": Message(
        "没有名为“{name}”的园区。您要找的是否为：{near}？",
        "There is no park named {name!r}. Did you mean: {near}?",
    ),
    "brief.font_missing": Message(
        "未安装中文字体，简报中的汉字将显示为空白方框（已查找：{families}）。"
        "请以管理员身份运行 `{install}`（Debian/Ubuntu）安装后重试。",
        "No Chinese font is installed, so a brief would show empty boxes instead of Chinese "
        "(looked for: {families}). Install one with `{install}` (Debian/Ubuntu, as root) "
        "and run again.",
    ),
    "brief.format_unknown": Message(
        "无法将简报写入“{file}”：“.{suffix}”不是简报格式。文件名须以 .pdf 或 .png 结尾。",
        "Cannot write a brief to {file!r}: '.{suffix}' is not a brief format. End the file "
        "name in .pdf or .png.",
    ),
    "brief.format_missing": Message(
        "无法将简报写入“{file}”：文件名没有扩展名。文件名须以 .pdf 或 .png 结尾。",
        "Cannot write a brief to {file!r}: the name has no extension. End the file name "
        "in .pdf or .png.",
    ),
    "brief.stream_format": Message(
        "将简报写入数据流时须指定格式 fmt='pdf' 或 'png'。",
        "Give fmt='pdf' or 'png' when writing a brief to a stream.",
    ),
    "brief.no_pages": Message(
        "没有可写出的页面。",
        "There is no page to write.",
    ),
    "brief.png_pages": Message(
        "PNG 图片只能容纳一页，而不是 {pages} 页；请改为写出 .pdf 文件。",
        "A PNG holds one page, not {pages}; write a .pdf instead.",
    ),
    "brief.folder_missing": Message(
        "文件夹 {folder} 不存在。请先创建该文件夹，或另选 --out 路径。",
        "Folder {folder} does not exist; create it or choose another --out.",
    ),
    "brief.size_unknown": Message(
        "--size 须为 a4 或 slide，而不是“{size}”。",
        "--size must be a4 or slide, not {size!r}.",
    ),
    "brief.map_empty": Message(
        "地图上没有可显示的内容：所有图层均为空。",
        "The map has nothing to show: every layer is empty.",
    ),
    "brief.map_no_crs": Message(
        "地图中有图层未设置坐标系；请先设置坐标系再绘制地图。",
        "A layer on the map has no CRS; set it before drawing the map.",
    ),
    "brief.map_no_coordinates": Message(
        "要显示的要素没有有效坐标。",
        "The features to show have no finite coordinates.",
    ),
}

#: Parameters that hold a stage, ``None`` (no stage) or a list of stages.
STAGE_PARAMS: frozenset[str] = frozenset(
    {"current", "from_stage", "to_stage", "target", "stage", "first", "newest", "missing",
     "known"}
)

#: Event field → (Chinese label, English label), for the ``field`` parameter.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "parcel_id": ("地块编号", "parcel id"),
    "officer": ("经办人", "officer's name"),
    "note": ("备注", "note"),
    "evidence": ("依据文件", "evidence"),
    "correction_reason": ("更正原因", "correction reason"),
}

#: Words of the role refusal: what was refused, and what the user's role allows (zh, en).
ROLE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "action": {
        "open": ("打开此数据库", "open the store"),
        "record": ("登记阶段变更", "record the stage changes"),
        "import": ("写入或导入图层", "write or import layers"),
        "admin": ("管理此数据库", "administer this store"),
    },
    "rights": {
        "none": ("没有查看权限", "may not read this store"),
        "read": ("只有查看权限", "may only read"),
        "record": ("可以查看和登记阶段变更，但不能导入图层",
                   "may read and record stage changes but not import layers"),
        "no_admin": ("不能管理此数据库", "may not administer this store"),
    },
    # what is wrong with a store URL (url.malformed)
    "problem": {
        "no_scheme": ("缺少 scheme://", "it has no scheme://"),
        "scheme": ("开头不是 postgresql://", "its scheme is not postgresql://"),
        "at": ("含有多个 @（用户名或密码中的 @ 须写作 %40）",
               "it has more than one @ (an @ in the user or password must be written %40)"),
        "ipv6": ("无法解析（IPv6 主机须写在方括号 [] 内）",
                 "it cannot be parsed (an IPv6 host must be in [brackets])"),
        "port": ("端口不是 0 到 65535 之间的数字", "its port is not a number from 0 to 65535"),
        "unparsed": ("无法解析", "it cannot be parsed"),
    },
    # whether an environment failure wrote nothing (env.*)
    "nothing": {
        "written": ("未写入任何内容。", " Nothing was written."),
        "": ("", ""),
    },
}

_LANGS = ("zh", "en")
_PLAIN = "plain"  # str(error): English, stages as "code (中文)" for logs and scripts


def refusal(kind: type[E], code: str, params: Mapping[str, object]) -> E:
    """An error of ``kind`` with ``code`` and ``params``; ``str()`` is its English text.

    Raises
    ------
    KeyError
        ``code`` is not in :data:`CATALOGUE` (a programming error, caught by the tests).
    """
    template = CATALOGUE[code].en
    return kind(_format(template, params, _PLAIN), code=code, params=params)


def render(error: BaseException, lang: str = "zh") -> str:
    """``error``'s message for a person reading ``lang`` (``"zh"`` or ``"en"``).

    Stages are shown by their labels, lists joined with ``、`` (Chinese) or ``", "``.
    An error without a catalogued code (or with parameters its template does not have)
    is shown as ``str(error)``.
    """
    code = getattr(error, "code", None)
    message = CATALOGUE.get(code) if isinstance(code, str) else None
    if message is None:
        return str(error)
    lang = lang if lang in _LANGS else "en"
    params = getattr(error, "params", {}) or {}
    try:
        return _format(message.zh if lang == "zh" else message.en, params, lang)
    except (KeyError, IndexError, ValueError):
        return str(error)


def lang_from_locale(environ: Mapping[str, str]) -> str:
    """``"zh"`` if the POSIX locale of ``environ`` is Chinese, else ``"en"``.

    The first non-empty of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` decides (the POSIX
    precedence), so ``LANG=zh_CN.UTF-8`` gives ``"zh"``. For the CLI's default
    ``--lang``: ``lang_from_locale(os.environ)``.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (environ.get(name) or "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def _format(template: str, params: Mapping[str, object], style: str) -> str:
    values = {name: _show(name, params[name], style) for name in placeholders(template)}
    return template.format_map(values)


def _show(name: str, value: object, style: str) -> str:
    if name == "field":
        zh, en = FIELD_LABELS.get(str(value), (str(value), str(value)))
        return zh if style == "zh" else en
    if isinstance(value, list | tuple | set | frozenset):
        items = [_show_one(name, v, style) for v in value]
        return ("、" if style == "zh" else ", ").join(items)
    return _show_one(name, value, style)


def _show_one(name: str, value: object, style: str) -> str:
    if name in ROLE_WORDS:
        zh, en = ROLE_WORDS[name].get(str(value), (str(value), str(value)))
        return zh if style == "zh" else en
    if name in STAGE_PARAMS:
        return _show_stage(value, style, quoted=name not in ("missing", "known"))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _show_stage(value: object, style: str, *, quoted: bool) -> str:
    if value is None or value == "":
        if style == "zh":
            return "“无阶段”" if quoted else "无阶段"
        return "no stage"
    try:
        stage = ParcelStage(str(value))
    except ValueError:
        return {"zh": f"未知阶段“{value}”"}.get(style, f"unknown stage '{value}'")
    if style == "zh":
        return f"“{stage.label_zh}”" if quoted else stage.label_zh
    if style == "en":
        return stage.label_en
    return f"{stage.value} ({stage.label_zh})"
