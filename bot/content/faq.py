"""Reads and validates the knowledge content: FAQ entries, coverage maps, synonyms, intents and guards.

Every problem raises ContentError naming the file and, where there is one, the entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import jinja2.meta
import jinja2.nodes
import yaml

from bot.errors import ContentError
from bot.knowledge.models import (
    CATEGORIES,
    COMMAND_NAMES,
    FLOW_NAMES,
    Article,
    FaqEntry,
    FaqTranslation,
    Guards,
    Intent,
    KnowledgeContent,
    PolicyDocument,
    Supersedes,
    Synonyms,
)

DEFAULT_CONTENT_ROOT = Path(__file__).resolve().parents[2] / "content"

_ENTRY_KEYS = frozenset(
    {
        "id",
        "audience",
        "questions",
        "answer",
        "detail",
        "citations",
        "effective_from",
        "effective_to",
        "tags",
        "flow",
        "supersedes",
        "en",
    }
)
_REQUIRED_ENTRY_KEYS = ("id", "audience", "questions", "answer", "citations", "tags")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# "<文号> <ref>": 文号 is a numbered document (…〔2023〕4号) or a named one (…举措);
# ref is 第N条/项 with an optional （sub-item）, or a section number 一…十 with an optional
# （sub-section）, as in 德医保发〔2021〕57号 三（二）.
_CITATION = re.compile(
    r"^(?P<doc>[^\s]+〔\d{4}〕\d+号|[^\s]+举措) "
    r"(?P<ref>(?:第[一二三四五六七八九十百零〇\d]+[条项]|[一二三四五六七八九十]+)"
    r"(?:（[一二三四五六七八九十\d]+）)?)$"
)
_TEMPLATE_VARIABLES = frozenset({"today", "region_name"})
_TEMPLATE_FILTERS = frozenset({"cn_date", "cn_money"})
_JINJA = jinja2.Environment(autoescape=False)  # noqa: S701 - parse-only, never renders here
# Stand-ins so the compiler used by jinja2.meta accepts the filters; the real ones live with the renderer.
_JINJA.filters.update({name: str for name in _TEMPLATE_FILTERS})

T = TypeVar("T")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported with its entry, not as a YAML crash."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _fail(path: Path, entry: str | None, message: str) -> ContentError:
    where = f"{path}" if entry is None else f"{path}: entry {entry!r}"
    return ContentError(f"{where}: {message}")


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: invalid YAML: {exc}") from exc


def _mapping(value: Any, path: Path, entry: str | None, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, entry, f"{what} must be a mapping")
    return value


def _check_keys(
    data: Mapping[str, Any], allowed: Iterable[str], required: Iterable[str], path: Path, entry: str | None
) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise _fail(path, entry, f"unknown keys {unknown}")
    missing = [key for key in required if data.get(key) in (None, "", [], ())]
    if missing:
        raise _fail(path, entry, f"missing {missing}")


def _text(value: Any, path: Path, entry: str | None, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, entry, f"{what} must be non-empty text, not {value!r}")
    return value


def _texts(value: Any, path: Path, entry: str | None, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(path, entry, f"{what} must be a non-empty list")
    return tuple(_text(item, path, entry, f"each of {what}").strip() for item in value)


def _date(value: Any, path: Path, entry: str | None, what: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise _fail(path, entry, f"{what} {value!r} is not a date (YYYY-MM-DD)") from exc
    raise _fail(path, entry, f"{what} {value!r} is not a date (YYYY-MM-DD)")


def check_citation(citation: str) -> tuple[str, str] | None:
    """Split a citation into (document, ref), or None when it is not of the form '<文号> <ref>'."""
    match = _CITATION.match(citation)
    if match is None:
        return None
    return match["doc"], match["ref"]


def _citation(value: Any, path: Path, entry: str | None) -> str:
    text = _text(value, path, entry, "citation")
    if check_citation(text) is None:
        example = "吉医保规〔2023〕4号 第三条"
        raise _fail(path, entry, f"citation {text!r} is not of the form '<文号> <ref>' (e.g. {example})")
    return text


def _check_template(source: str, path: Path, entry: str, what: str) -> None:
    try:
        tree = _JINJA.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise _fail(path, entry, f"{what} is not a valid template: {exc}") from exc
    unknown_filters = {node.name for node in tree.find_all(jinja2.nodes.Filter)} - _TEMPLATE_FILTERS
    if unknown_filters:
        raise _fail(path, entry, f"{what} uses unknown filters {sorted(unknown_filters)}")
    try:
        unknown_vars = jinja2.meta.find_undeclared_variables(tree) - _TEMPLATE_VARIABLES
    except jinja2.TemplateError as exc:
        raise _fail(path, entry, f"{what} is not a valid template: {exc}") from exc
    if unknown_vars:
        raise _fail(path, entry, f"{what} uses unknown variables {sorted(unknown_vars)}")


def _translation(value: Any, path: Path, entry: str) -> FaqTranslation:
    data = _mapping(value, path, entry, "en")
    _check_keys(data, ("questions", "answer", "detail"), (), path, entry)
    questions = _texts(data["questions"], path, entry, "en.questions") if data.get("questions") else ()
    answer = _text(data["answer"], path, entry, "en.answer") if data.get("answer") is not None else None
    detail = _text(data["detail"], path, entry, "en.detail") if data.get("detail") is not None else None
    return FaqTranslation(questions=questions, answer=answer, detail=detail)


def _supersedes(value: Any, path: Path, entry: str) -> Supersedes:
    data = _mapping(value, path, entry, "supersedes")
    _check_keys(data, ("citation", "note"), ("citation", "note"), path, entry)
    citation = _citation(data["citation"], path, entry)
    return Supersedes(citation=citation, note=_text(data["note"], path, entry, "note"))


def parse_faq_entry(raw: Any, path: Path, index: int) -> FaqEntry:
    """Validate one raw entry mapping and build its FaqEntry."""
    label = str(raw.get("id")) if isinstance(raw, Mapping) and raw.get("id") else f"#{index + 1}"
    data = _mapping(raw, path, label, "an entry")
    _check_keys(data, _ENTRY_KEYS, _REQUIRED_ENTRY_KEYS, path, label)
    entry_id = _text(data["id"], path, label, "id")
    if not _ID.match(entry_id):
        raise _fail(path, label, "id must be kebab-case (a-z, 0-9, -)")
    audience = data["audience"]
    if audience not in ("insured", "staff"):
        raise _fail(path, label, f"audience {audience!r} is not insured or staff")
    if not isinstance(data["citations"], list) or not data["citations"]:
        raise _fail(path, label, "citations must be a non-empty list")
    tags = _texts(data["tags"], path, label, "tags")
    unknown_tags = sorted(set(tags) - set(CATEGORIES))
    if unknown_tags:
        raise _fail(path, label, f"unknown tags {unknown_tags} (known: {', '.join(CATEGORIES)})")
    flow = data.get("flow")
    if flow is not None and flow not in FLOW_NAMES:
        raise _fail(path, label, f"flow {flow!r} is not one of {', '.join(FLOW_NAMES)}")
    # effective_from must be present; null means "no start date" (an undated document, e.g. the 20 measures).
    if "effective_from" not in data:
        raise _fail(path, label, "missing ['effective_from'] (null for an undated document)")
    raw_from = data["effective_from"]
    effective_from = date.min if raw_from is None else _date(raw_from, path, label, "effective_from")
    effective_to = None
    if data.get("effective_to") is not None:
        effective_to = _date(data["effective_to"], path, label, "effective_to")
        if effective_to < effective_from:
            raise _fail(path, label, "effective_to is before effective_from")
    answer = _text(data["answer"], path, label, "answer")
    _check_template(answer, path, label, "answer")
    detail = _text(data["detail"], path, label, "detail") if data.get("detail") is not None else None
    if detail is not None:
        _check_template(detail, path, label, "detail")
    return FaqEntry(
        id=entry_id,
        audience=audience,
        questions=_texts(data["questions"], path, label, "questions"),
        answer=answer,
        detail=detail,
        citations=tuple(_citation(item, path, label) for item in data["citations"]),
        effective_from=effective_from,
        effective_to=effective_to,
        tags=tags,
        flow=flow,
        supersedes=_supersedes(data["supersedes"], path, label) if data.get("supersedes") else None,
        en=_translation(data["en"], path, label) if data.get("en") else None,
        source=str(path),
    )


def load_faq_file(path: Path) -> tuple[FaqEntry, ...]:
    """Read one FAQ topic file."""
    data = _mapping(_read_yaml(path), path, None, "the file")
    _check_keys(data, ("entries",), ("entries",), path, None)
    if not isinstance(data["entries"], list):
        raise _fail(path, None, "entries must be a list")
    return tuple(parse_faq_entry(raw, path, i) for i, raw in enumerate(data["entries"]))


def load_region_faq(region_dir: Path) -> tuple[FaqEntry, ...]:
    """Read every faq/*.yaml of a region pack; ids are unique within the region."""
    entries: list[FaqEntry] = []
    seen: dict[str, str] = {}
    for path in sorted((region_dir / "faq").glob("*.yaml")):
        for entry in load_faq_file(path):
            if entry.id in seen:
                raise _fail(path, entry.id, f"duplicate id (also in {seen[entry.id]})")
            seen[entry.id] = str(path)
            entries.append(entry)
    return tuple(entries)


def _article(raw: Any, path: Path, doc: str) -> Article:
    label = f"{doc} {raw.get('ref')}" if isinstance(raw, Mapping) else doc
    data = _mapping(raw, path, label, "an article")
    _check_keys(data, ("ref", "audience", "summary", "flows"), ("ref", "audience", "summary"), path, label)
    if data["audience"] not in ("insured", "staff", "none"):
        raise _fail(path, label, f"audience {data['audience']!r} is not insured, staff or none")
    flows = tuple(data.get("flows") or ())
    unknown = sorted(set(flows) - set(FLOW_NAMES))
    if unknown:
        raise _fail(path, label, f"unknown flows {unknown}")
    return Article(
        ref=_text(str(data["ref"]), path, label, "ref"),
        audience=data["audience"],
        summary=_text(data["summary"], path, label, "summary"),
        flows=flows,
    )


def load_articles(region_dir: Path) -> tuple[PolicyDocument, ...]:
    """Read the region's coverage map (articles.yaml)."""
    path = region_dir / "articles.yaml"
    data = _mapping(_read_yaml(path), path, None, "the file")
    _check_keys(data, ("documents",), ("documents",), path, None)
    documents: list[PolicyDocument] = []
    for raw in data["documents"]:
        doc_data = _mapping(raw, path, None, "a document")
        _check_keys(doc_data, ("doc", "file", "articles"), ("doc", "file", "articles"), path, None)
        doc = _text(doc_data["doc"], path, None, "doc")
        articles = tuple(_article(item, path, doc) for item in doc_data["articles"])
        refs = [article.ref for article in articles]
        duplicates = sorted({ref for ref in refs if refs.count(ref) > 1})
        if duplicates:
            raise _fail(path, doc, f"duplicate refs {duplicates}")
        file = _text(doc_data["file"], path, doc, "file")
        documents.append(PolicyDocument(doc=doc, file=file, articles=articles))
    return tuple(documents)


def load_synonyms(content_root: Path) -> Synonyms:
    """Read content/synonyms.yaml: groups of words, canonical first; a word belongs to one group only."""
    path = content_root / "synonyms.yaml"
    data = _mapping(_read_yaml(path), path, None, "the file")
    _check_keys(data, ("groups", "stopwords"), ("groups",), path, None)
    groups: list[tuple[str, ...]] = []
    owner: dict[str, str] = {}
    for raw in data["groups"]:
        group = _texts(raw, path, str(raw), "a synonym group")
        if len(group) < 2:
            raise _fail(path, group[0], "a synonym group needs at least two words")
        for word in group:
            if word in owner:
                raise _fail(path, word, f"word is in two groups ({owner[word]!r} and {group[0]!r})")
            owner[word] = group[0]
        groups.append(group)
    stopwords = _texts(data["stopwords"], path, "stopwords", "stopwords") if data.get("stopwords") else ()
    clash = sorted(set(stopwords) & set(owner))
    if clash:
        raise _fail(path, "stopwords", f"words both stopwords and synonyms: {clash}")
    return Synonyms(groups=tuple(groups), stopwords=stopwords)


def _compile_all(
    patterns: Iterable[str], path: Path, label: str, prepare: Callable[[str], str]
) -> tuple[str, ...]:
    out: list[str] = []
    for pattern in patterns:
        try:
            re.compile(prepare(pattern))
        except re.error as exc:
            raise _fail(path, label, f"bad pattern {pattern!r}: {exc}") from exc
        out.append(pattern)
    return tuple(out)


def load_intents(content_root: Path) -> tuple[Intent, ...]:
    """Read content/intents.yaml: per intent a flow (or command), label, patterns and question variants."""
    path = content_root / "intents.yaml"
    data = _mapping(_read_yaml(path), path, None, "the file")
    _check_keys(data, ("intents",), ("intents",), path, None)
    intents: list[Intent] = []
    for raw in data["intents"]:
        item = _mapping(raw, path, None, "an intent")
        label = str(item.get("flow") or item.get("command") or "?")
        _check_keys(item, ("flow", "command", "label", "patterns", "questions"), ("label",), path, label)
        if ("flow" in item) == ("command" in item):
            raise _fail(path, label, "an intent names exactly one of flow or command")
        if "flow" in item and item["flow"] not in FLOW_NAMES:
            raise _fail(path, label, f"flow {item['flow']!r} is not one of {', '.join(FLOW_NAMES)}")
        if "command" in item and item["command"] not in COMMAND_NAMES:
            raise _fail(path, label, f"command {item['command']!r} is not one of {', '.join(COMMAND_NAMES)}")
        patterns = _compile_all(item.get("patterns") or (), path, label, lambda p: p)
        questions = _texts(item["questions"], path, label, "questions") if item.get("questions") else ()
        if not patterns and not questions:
            raise _fail(path, label, "an intent needs patterns or questions")
        intents.append(
            Intent(
                kind="flow" if "flow" in item else "command",
                target=label,
                label=_text(item["label"], path, label, "label"),
                patterns=patterns,
                questions=questions,
            )
        )
    return tuple(intents)


def load_guards(content_root: Path) -> Guards:
    """Read content/guards.yaml: injection, abuse, other-person-data and region-switch patterns."""
    path = content_root / "guards.yaml"
    data = _mapping(_read_yaml(path), path, None, "the file")
    keys = ("injection", "abuse", "other_person_data", "region_switch")
    _check_keys(data, keys, keys, path, None)
    aliases = _region_aliases(content_root)
    with_region = "(?:x)"
    return Guards(
        injection=_compile_all(_texts(data["injection"], path, None, "injection"), path, "injection", str),
        abuse=_compile_all(_texts(data["abuse"], path, None, "abuse"), path, "abuse", str),
        other_person_data=_compile_all(
            _texts(data["other_person_data"], path, None, "other_person_data"), path, "other_person_data", str
        ),
        region_switch=_compile_all(
            _texts(data["region_switch"], path, None, "region_switch"),
            path,
            "region_switch",
            lambda p: p.replace("{region}", with_region),
        ),
        region_aliases=aliases,
    )


def _region_aliases(content_root: Path) -> dict[str, tuple[str, ...]]:
    """What people call each region ("我是德州参保的"): the `aliases` of every pack's region.yaml, so a new
    region is added by its folder alone."""
    aliases: dict[str, tuple[str, ...]] = {}
    for name in region_names(content_root):
        path = content_root / "regions" / name / "region.yaml"
        data = _mapping(_read_yaml(path), path, None, "the file")
        aliases[name] = _texts(data.get("aliases") or [name], path, None, "aliases")
    return aliases


def region_names(content_root: Path) -> tuple[str, ...]:
    """The region packs present under content/regions/."""
    regions_dir = content_root / "regions"
    return tuple(sorted(p.name for p in regions_dir.iterdir() if p.is_dir())) if regions_dir.is_dir() else ()


def load_knowledge_content(content_root: Path = DEFAULT_CONTENT_ROOT) -> KnowledgeContent:
    """Read everything the knowledge index and coverage need, for every region pack."""
    faq: dict[str, tuple[FaqEntry, ...]] = {}
    articles: dict[str, tuple[PolicyDocument, ...]] = {}
    for region in region_names(content_root):
        region_dir = content_root / "regions" / region
        faq[region] = load_region_faq(region_dir)
        if (region_dir / "articles.yaml").exists():
            articles[region] = load_articles(region_dir)
    return KnowledgeContent(
        faq_by_region=faq,
        articles_by_region=articles,
        intents=load_intents(content_root),
        synonyms=load_synonyms(content_root),
        guards=load_guards(content_root),
    )
