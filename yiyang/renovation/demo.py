"""Demo data of the renovation programme: the city's 2025 programme (closed) and its 2026 copy (current,
200,000 fen per household, district quotas), a supervisor (监理) organisation, and a few households of
广陵区 at different steps — the demo provider is their contractor, so the provider login sees them.
Every write goes through the services (as SYSTEM); re-running skips what exists."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yiyang.core.identifiers import uscc_check_char
from yiyang.demo.city import CITY, COUNTY_A
from yiyang.elders.models import Elder
from yiyang.providers.models import Organisation
from yiyang.providers.services import organisation_create
from yiyang.regions.models import Region
from yiyang.regions.scope import SYSTEM
from yiyang.renovation import services
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.models import Programme

NAME = "特殊困难老年人家庭居家适老化改造"
SUPERVISOR_USCC_BODY = "91321002MA1REN701"
QUOTAS = {"321002000000": 60, "321003000000": 50}
STEPS = [S.PAID, S.BUILDING, S.PLANNED, S.PUBLICITY, S.SUBMITTED, S.APPROVED, S.PAID]


def _png(seed: int, after: bool) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360), (200, 190, 170) if not after else (225, 235, 225))
    draw = ImageDraw.Draw(img)
    for n in range(6):
        y = 40 + n * 50
        draw.rectangle(
            [30 + seed * 7 % 60, y, 440, y + 20],
            outline=(120, 100, 80) if not after else (40, 140, 60),
            width=3,
        )
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def _eligible_elders(programme: Any, limit: int) -> list[Elder]:
    """Elders of 广陵区 in a target category who pass every rule today."""
    today = timezone.localdate()
    out: list[Elder] = []
    qs = (
        Elder.objects.filter(
            region__code__startswith="321002",
            status="active",
            categories__category__in=list(programme.target_categories),
        )
        .distinct()
        .order_by("pk")
    )
    for elder in qs[:2000]:
        verdict = services.eligibility_verdict(
            programme=programme, elder=elder, on=today, housing_right=True, in_demolition_plan=False
        )
        if verdict.eligible:
            out.append(elder)
        if len(out) >= limit:
            break
    return out


def seed(ctx: Any) -> str:
    if Programme.objects.filter(region_code=CITY, year=2026).exists():
        return "适老化改造项目已存在，跳过"
    city = Region.objects.get(code=CITY)
    old = services.programme_create(actor=SYSTEM, region=city, year=2025, name=NAME, cap_fen=200000)
    for code, n in QUOTAS.items():
        county = Region.objects.filter(code=code).first()
        if county is not None:
            services.quota_set(actor=SYSTEM, programme=old, county=county, households=n - 10)
    services.programme_activate(actor=SYSTEM, programme=old)
    current = services.programme_copy(actor=SYSTEM, programme=old, year=2026)
    for code, n in QUOTAS.items():
        county = Region.objects.filter(code=code).first()
        if county is not None:
            services.quota_set(actor=SYSTEM, programme=current, county=county, households=n)
    current = services.programme_activate(actor=SYSTEM, programme=current)
    Programme.objects.filter(pk=old.pk).update(status="closed")

    contractor = Organisation.objects.filter(admins__username="provider_admin").first()
    county_a = Region.objects.get(code=COUNTY_A)
    supervisor = organisation_create(
        actor=SYSTEM,
        name="扬州安居工程监理有限公司",
        uscc=SUPERVISOR_USCC_BODY + uscc_check_char(SUPERVISOR_USCC_BODY),
        org_type="home_service",
        region=county_a,
        regions_served=[county_a],
    )
    if contractor is None:
        return f"适老化改造项目 2 个（{current}）；无演示服务机构，未生成申请"
    elders = _eligible_elders(current, len(STEPS))
    made = 0
    for n, (elder, target) in enumerate(zip(elders, STEPS, strict=False)):
        app = services.application_create(
            actor=SYSTEM,
            programme=current,
            elder=elder,
            application_date=timezone.localdate() - timedelta(days=40 - n),
            housing_right=True,
            in_demolition_plan=False,
            applicant="community_worker" if n % 2 else "elder",
            applicant_name="社区工作者" if n % 2 else "",
        )
        _advance(app, target, contractor=contractor, supervisor=supervisor, seed=n)
        made += 1
    return f"适老化改造项目 2 个（当前 {current}，每户上限 2000 元）；改造申请 {made} 户"


def _advance(app: Any, target: str, *, contractor: Any, supervisor: Any, seed: int) -> None:
    order: list[str] = [
        S.SUBMITTED,
        S.PUBLICITY,
        S.PUBLICISED,
        S.APPROVED,
        S.ASSESSED,
        S.PLANNED,
        S.SIGNED,
        S.BUILDING,
        S.COMPLETED,
        S.ACCEPTED,
        S.PAID,
    ]
    items = [
        {"code": "SLH-01", "included": True, "quantity": 1},
        {"code": "SLH-02", "included": True},
        {"code": "SLH-11", "included": True},
        {"code": "SLH-13", "included": True, "quantity": 2},
        {"code": "SLH-17", "included": True},
        {"code": "SLH-24", "included": True},
        {"code": "SLH-29", "included": False, "not_applicable_reason": "老人无认知障碍，无走失风险"},
        {"code": "SLH-20", "included": True, "quantity": 2},
    ]
    while order.index(app.status) < order.index(target):
        st = app.status
        if st == S.SUBMITTED:
            services.application_review(actor=SYSTEM, application=app, note="材料齐全，符合条件")
            app.refresh_from_db()
            type(app).objects.filter(pk=app.pk).update(publicity_until=date.today() - timedelta(days=1))
        elif st == S.PUBLICITY:
            services.application_close_publicity(actor=SYSTEM, application=app)
        elif st == S.PUBLICISED:
            services.application_approve(
                actor=SYSTEM, application=app, contractor=contractor, supervisor=supervisor
            )
        elif st == S.APPROVED:
            services.application_assess(
                actor=SYSTEM,
                application=app,
                note="卫生间无扶手、地面湿滑；卧室床边无护栏；门口有高差",
                assessor_name="第三方评估员",
            )
        elif st == S.ASSESSED:
            services.application_plan(actor=SYSTEM, application=app, items=items)
        elif st == S.PLANNED:
            services.application_sign(
                actor=SYSTEM, application=app, signed_by=app.elder.name, relation="elder"
            )
        elif st == S.SIGNED:
            for row in app.plan_items.filter(included=True).select_related("item"):
                services.application_add_photo(
                    actor=SYSTEM, application=app, code=row.item.code, kind="before", upload=_png(seed, False)
                )
            services.application_start(actor=SYSTEM, application=app)
        elif st == S.BUILDING:
            rows = list(app.plan_items.filter(included=True).select_related("item"))
            for row in rows:
                services.application_add_photo(
                    actor=SYSTEM, application=app, code=row.item.code, kind="after", upload=_png(seed, True)
                )
            services.application_complete(
                actor=SYSTEM, application=app, items=[{"code": r.item.code, "done": True} for r in rows]
            )
        elif st == S.COMPLETED:
            services.application_accept(
                actor=SYSTEM,
                application=app,
                passed=True,
                note="改造项目齐全，质量合格",
                street_inspector="街道验收员",
                supervisor_inspector="监理工程师",
            )
        elif st == S.ACCEPTED:
            services.application_pay(actor=SYSTEM, application=app, payment_ref=f"YY{seed:04d}")
        app.refresh_from_db()
