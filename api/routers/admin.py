"""The policy team's pages (roles policy and admin): unanswered questions grouped by normalised text, and the
coverage report (articles nothing answers) per region. Read-only for now."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import EngineDep, SessionDep, SettingsDep
from api.staff_auth import ADMIN_ROLES, StaffPrincipal, authorise, page
from bot.knowledge.coverage import CoverageReport, UncoveredArticle, coverage_report
from bot.store.unanswered import unanswered_summary

router = APIRouter(prefix="/admin", tags=["admin"], include_in_schema=False)


@lru_cache(maxsize=4)
def _cached_report(content_dir: Path, stamp: tuple[int, int]) -> CoverageReport:
    return coverage_report(content_dir)


def _report(content_dir: Path) -> CoverageReport:
    """The coverage report, read again only when a region pack file changes (reading takes a second)."""
    files = [path.stat() for path in (content_dir / "regions").rglob("*.yaml")]
    stamp = (len(files), max((f.st_mtime_ns for f in files), default=0))
    return _cached_report(content_dir, stamp)


@router.get("")
def overview(
    request: Request, settings: SettingsDep, session: SessionDep, engine: EngineDep, region: str = ""
) -> Response:
    who = authorise(request, settings, session, ADMIN_ROLES)
    if not isinstance(who, StaffPrincipal):
        return who
    regions = sorted(engine.content.regions)
    chosen = region if region in regions else ""
    report = _report(settings.content_dir)
    by_region: dict[str, list[UncoveredArticle]] = defaultdict(list)
    for article in report.uncovered:
        if not chosen or article.region == chosen:
            by_region[article.region].append(article)
    return page(
        request,
        settings,
        "admin/index.html.j2",
        {
            "who": who,
            "regions": regions,
            "region": chosen,
            "region_titles": {name: pack.title for name, pack in engine.content.regions.items()},
            "groups": unanswered_summary(session, region=chosen or None),
            "uncovered": dict(sorted(by_region.items())),
            "unknown_citations": [c for c in report.unknown_citations if not chosen or c.startswith(chosen)],
            "without_map": report.regions_without_map,
        },
    )
