"""Builders for renovation tests: a programme over the cast's city, an eligible elder, an application
moved through the workflow (by the services, acting as SYSTEM) to any status."""

from __future__ import annotations

import io
import itertools
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from yiyang.elders.models import ElderCategory
from yiyang.orders.tests.factories import make_elder, make_provider
from yiyang.regions.models import Region
from yiyang.regions.scope import SYSTEM
from yiyang.renovation import services
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.models import Application, Programme

CITY = "321000000000"
ORDER: list[str] = [
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
BASIC = ["SLH-01", "SLH-02", "SLH-11", "SLH-13", "SLH-17", "SLH-24", "SLH-29"]


_shade = itertools.count(1)


def png(color: tuple[int, int, int] | None = None) -> bytes:
    """A small PNG, a different colour at each call (identical images would be one image in a PDF)."""
    from PIL import Image

    n = next(_shade)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color or (n * 37 % 256, n * 91 % 256, n * 53 % 256)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    """A JPEG whose EXIF says: taken 2026-11-20 09:30:15 at 32°23'38.4"N 119°24'43.2"E."""
    from PIL import Image

    img = Image.new("RGB", (64, 48), (20, 120, 200))
    exif = Image.Exif()
    exif[306] = "2026:11:20 09:30:15"
    exif.get_ifd(0x8769)[36867] = "2026:11:20 09:30:15"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (32.0, 23.0, 38.4)
    gps[3] = "E"
    gps[4] = (119.0, 24.0, 43.2)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(name: str = "p.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or png(), content_type="image/png")


def make_programme(
    *, region_code: str = CITY, cap_fen: int = 200000, year: int = 2026, **options: Any
) -> Programme:
    region = Region.objects.get(code=region_code)
    options.setdefault("publicity_days", 0)
    programme = services.programme_create(
        actor=SYSTEM, region=region, year=year, name="居家适老化改造", cap_fen=cap_fen, **options
    )
    return services.programme_activate(actor=SYSTEM, programme=programme)


def make_target_elder(
    region: Any,
    *,
    birth: date = date(1940, 1, 1),
    categories: tuple[str, ...] = ("tekun_dispersed",),
    certificate: str = "",
) -> Any:
    elder = make_elder(region)
    elder.birth_date = birth
    elder.save(update_fields=["birth_date"])
    for c in categories:
        ElderCategory.objects.create(
            elder=elder, category=c, disability_certificate=certificate if c == "disabled" else ""
        )
    return elder


def orgs(region: Any, *, admin: Any = None) -> tuple[Any, Any]:
    return make_provider(region, admin=admin), make_provider(region)


def make_application(
    region: Any,
    status: str = S.SUBMITTED,
    *,
    programme: Programme | None = None,
    contractor_admin: Any = None,
    cost_fen: int | None = None,
) -> Application:
    programme = (
        programme or Programme.objects.filter(region_code=CITY, status="active").first() or make_programme()
    )
    elder = make_target_elder(region)
    app = services.application_create(
        actor=SYSTEM,
        programme=programme,
        elder=elder,
        application_date=date(2026, 11, 1),
        housing_right=True,
        in_demolition_plan=False,
    )
    return advance(app, status, contractor_admin=contractor_admin, cost_fen=cost_fen)


def advance(
    app: Application, status: str, *, contractor_admin: Any = None, cost_fen: int | None = None
) -> Application:
    if status in (S.REJECTED, S.WITHDRAWN):
        if status == S.REJECTED:
            return services.application_reject(actor=SYSTEM, application=app, reason="不符合")
        return services.application_withdraw(actor=SYSTEM, application=app, reason="不需要了")
    target = ORDER.index(status)
    region = Region.objects.get(code=app.region_code)
    while ORDER.index(app.status) < target:
        st = app.status
        if st == S.SUBMITTED:
            services.application_review(actor=SYSTEM, application=app)
        elif st == S.PUBLICITY:
            services.application_close_publicity(actor=SYSTEM, application=app)
        elif st == S.PUBLICISED:
            contractor, supervisor = orgs(region, admin=contractor_admin)
            services.application_approve(
                actor=SYSTEM, application=app, contractor=contractor, supervisor=supervisor
            )
        elif st == S.APPROVED:
            services.application_assess(
                actor=SYSTEM, application=app, note="卫生间地滑", assessor_name="评估员甲"
            )
        elif st == S.ASSESSED:
            items = [{"code": c, "included": True} for c in BASIC[:-1]]
            items.append({"code": "SLH-29", "included": False, "not_applicable_reason": "老人无失智"})
            services.application_plan(actor=SYSTEM, application=app, items=items)
        elif st == S.PLANNED:
            services.application_sign(actor=SYSTEM, application=app, signed_by="老人本人", relation="elder")
        elif st == S.SIGNED:
            for row in app.plan_items.filter(included=True).select_related("item"):
                services.application_add_photo(
                    actor=SYSTEM, application=app, code=row.item.code, kind="before", upload=upload()
                )
            services.application_start(actor=SYSTEM, application=app)
        elif st == S.BUILDING:
            rows = list(app.plan_items.filter(included=True).select_related("item"))
            for row in rows:
                services.application_add_photo(
                    actor=SYSTEM, application=app, code=row.item.code, kind="after", upload=upload()
                )
            reports = [{"code": r.item.code, "done": True} for r in rows]
            if cost_fen is not None:
                reports = [{"code": r.item.code, "done": True, "actual_cost_fen": 0} for r in rows]
                reports[0]["actual_cost_fen"] = cost_fen
            services.application_complete(actor=SYSTEM, application=app, items=reports)
        elif st == S.COMPLETED:
            services.application_accept(
                actor=SYSTEM,
                application=app,
                passed=True,
                note="合格",
                street_inspector="街道甲",
                supervisor_inspector="监理乙",
            )
        elif st == S.ACCEPTED:
            services.application_pay(actor=SYSTEM, application=app, payment_ref="BK-1")
        app.refresh_from_db()
    return app
