"""The policy team's pages (roles policy and admin): unanswered questions grouped by normalised text, and the
coverage report (articles nothing answers) per region. Read-only for now."""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import EngineDep, SessionDep, SettingsDep
from api.staff_auth import ADMIN_ROLES, StaffPrincipal, authorise, page
from bot.knowledge.coverage import UncoveredArticle, coverage_report
from bot.store.staff import unanswered_summary

router = APIRouter(prefix="/admin", tags=["admin"], include_in_schema=False)


@router.get("")
def overview(
    request: Request, settings: SettingsDep, session: SessionDep, engine: EngineDep, region: str = ""
) -> Response:
    who = authorise(request, settings, session, ADMIN_ROLES)
    if not isinstance(who, StaffPrincipal):
        return who
    regions = sorted(engine.content.regions)
    chosen = region if region in regions else ""
    report = coverage_report(settings.content_dir)
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
