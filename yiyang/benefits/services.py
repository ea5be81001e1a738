"""Writes of allowances and subsidies: enrolment (免申即享 and confirmation), monthly payment runs with
maker–checker approval, bank files, paid/returned marks, the service-credit ledger and death lists.
Every public function checks scope with ``require_scope`` inside its transaction and writes its audit
row there (ARCHITECTURE rules 2 and 5)."""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.benefits.choices import (
    CreditKind,
    DeathImportStatus,
    DeathSource,
    EnrolmentSource,
    EnrolmentStatus,
    LineKind,
    LineStatus,
    PaymentMode,
    RunStatus,
)
from yiyang.benefits.models import (
    DeathImport,
    DeathImportEvent,
    Enrolment,
    EnrolmentEvent,
    PaymentLine,
    PaymentRun,
    Programme,
    RunEvent,
    ServiceCredit,
)
from yiyang.benefits.rules import Decision, evaluate, month_add, month_of, months_between
from yiyang.benefits.transitions import DEATH_IMPORT_MACHINE, ENROLMENT_MACHINE, RUN_MACHINE
from yiyang.core.errors import Conflict, DomainError, Forbidden, OutOfScope
from yiyang.core.hooks import ElderRegistered, ElderStatusChanged, ServiceCharged, ServiceChargeReversed
from yiyang.core.ledger import ledger_balance, ledger_post
from yiyang.core.money import xlsx_append
from yiyang.core.pii import decrypt
from yiyang.core.regioncodes import scope_prefix
from yiyang.core.statemachine import timeline_write, transition
from yiyang.core.validators import parse_month
from yiyang.core.xlsx import safe_row
from yiyang.elders.selectors import elder_list
from yiyang.regions.scope import SYSTEM, county_code, require_scope

PAYABLE = (LineKind.REGULAR, LineKind.ARREARS)


def check_month(value: Any, field_name: str = "month") -> str:
    from django.core.exceptions import ValidationError

    try:
        year, month = parse_month(value)
    except ValidationError as exc:
        raise DomainError(
            "月份有误", code="validation_error", errors={field_name: list(exc.messages)}
        ) from exc
    return f"{year:04d}-{month:02d}"


def programme_for(code: str, region_code: str, month: str) -> Programme | None:
    """The version of programme ``code`` that applies in ``region_code`` for ``month``: the deepest region
    above the place that has one, then the newest version valid that month."""
    best: Programme | None = None
    for p in Programme.objects.filter(code=code, valid_from__lte=month).order_by("-version"):
        if p.valid_to and p.valid_to < month:
            continue
        if not region_code.startswith(scope_prefix(p.region_id)):
            continue
        if best is None or len(scope_prefix(p.region_id)) > len(scope_prefix(best.region_id)):
            best = p
    return best


def _programmes_in(region_code: str, month: str, *, automatic: bool | None = None) -> list[Programme]:
    codes = Programme.objects.values_list("code", flat=True).distinct()
    out = [p for code in sorted(set(codes)) if (p := programme_for(code, region_code, month)) is not None]
    return [p for p in out if automatic is None or p.automatic == automatic]


def _categories_in(elder: Any, month: str) -> list[str]:
    from yiyang.benefits.rules import month_first, month_last

    first, last = month_first(month), month_last(month)
    return [
        c.category
        for c in elder.categories.all()
        if (c.valid_from is None or c.valid_from <= last) and (c.valid_to is None or c.valid_to >= first)
    ]


def decide(*, elder: Any, programme: Programme, month: str, approved_on: date) -> Decision:
    """The rules for one elder, programme and month (see ``yiyang.benefits.rules``)."""
    return evaluate(
        programme=programme,
        bands=list(programme.bands.all()),
        birth_date=elder.birth_date,
        region_code=elder.region_id,
        status=elder.status,
        categories=_categories_in(elder, month),
        capability_level=elder.capability_level,
        month=month,
        approved_on=approved_on,
    )


def _enrol_automatic(elder: Any, actor: Any, as_of: date) -> list[Enrolment]:
    """Enrol (or propose) ``elder`` in each automatic programme they qualify for next month."""
    month = month_add(month_of(as_of), 1)
    created: list[Enrolment] = []
    existing = set(Enrolment.objects.filter(elder=elder).values_list("programme_code", flat=True))
    for programme in _programmes_in(elder.region_id, month, automatic=True):
        if programme.code in existing:
            continue
        decision = decide(elder=elder, programme=programme, month=month, approved_on=as_of)
        if not decision.qualifies:
            continue
        status = EnrolmentStatus.PROPOSED if programme.requires_confirmation else EnrolmentStatus.ACTIVE
        enrolment = Enrolment.objects.create(
            elder=elder,
            programme=programme,
            programme_code=programme.code,
            region_code=elder.region_id,
            status=status,
            source=EnrolmentSource.REGISTER,
            from_month=decision.start_month,
            explanation=decision.rules,
            approved_at=timezone.now() if status == EnrolmentStatus.ACTIVE else None,
        )
        timeline_write(
            timeline=EnrolmentEvent,
            subject=enrolment,
            old="",
            new=status,
            actor=actor,
            reason="免申即享：登记信息符合条件",
            data={"rules": decision.rules},
        )
        created.append(enrolment)
    return created


def on_elder_registered(event: ElderRegistered) -> dict[str, Any]:
    """Hook inside the register's own gated transaction (elder_create/elder_update): 免申即享."""
    elder = elder_list(user=SYSTEM).filter(pk=event.elder_pk).prefetch_related("categories").first()
    if elder is None or elder.status != "active":
        return {}
    created = _enrol_automatic(elder, event.actor, timezone.localdate())
    return {"benefits_enrolled": len(created)} if created else {}


def enrolment_sweep(*, actor: Any, region_code: str, as_of: date | None = None) -> int:
    """The monthly 免申即享 sweep over one region: every elder qualifying next month is enrolled, or
    proposed to the street where the programme asks for confirmation. Returns how many."""
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        require_scope(actor, "benefits.run", region_code)
        prefix = scope_prefix(region_code)
        elders = (
            elder_list(user=SYSTEM)
            .filter(region__code__startswith=prefix, status="active")
            .prefetch_related("categories")
        )
        count = sum(len(_enrol_automatic(elder, actor, as_of)) for elder in elders.iterator(chunk_size=2000))
        audit_record(
            actor=actor,
            region=region_code,
            event="benefits.sweep",
            data={"as_of": as_of.isoformat(), "enrolled": count},
        )
    return count


def enrolment_confirm(*, actor: Any, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """The street confirms a proposal (one click): payment starts at the proposal's start month."""
    with transaction.atomic():
        require_scope(actor, "benefits.confirm", enrolment.region_code)
        transition(
            obj=enrolment,
            to=EnrolmentStatus.ACTIVE,
            machine=ENROLMENT_MACHINE,
            timeline=EnrolmentEvent,
            actor=actor,
            reason=reason.strip() or "街道确认",
            updates={"approved_at": timezone.now()},
        )
        audit_record(
            actor=actor, region=enrolment.region_code, event="benefits.enrolment_confirmed", obj=enrolment
        )
    return enrolment


def enrolment_reject(*, actor: Any, enrolment: Enrolment, reason: str) -> Enrolment:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写原因", code="validation_error", errors={"reason": ["请填写原因"]})
    with transaction.atomic():
        require_scope(actor, "benefits.confirm", enrolment.region_code)
        transition(
            obj=enrolment,
            to=EnrolmentStatus.REJECTED,
            machine=ENROLMENT_MACHINE,
            timeline=EnrolmentEvent,
            actor=actor,
            reason=reason,
        )
        audit_record(
            actor=actor,
            region=enrolment.region_code,
            event="benefits.enrolment_rejected",
            obj=enrolment,
            data={"reason": reason},
        )
    return enrolment


def enrolment_apply(*, actor: Any, elder: Any, programme_code: str, note: str) -> Enrolment:
    """An application (by the community worker for the elder) for a programme that needs proof: checked
    rule by rule now, proposed for the street's review; payment starts the month after approval."""
    note = (note or "").strip()
    if not note:
        raise DomainError(
            "请填写证明材料说明", code="validation_error", errors={"note": ["请填写证明材料说明"]}
        )
    today = timezone.localdate()
    month = month_add(month_of(today), 1)
    with transaction.atomic():
        require_scope(actor, "benefits.confirm", elder.region_id)
        programme = programme_for(programme_code, elder.region_id, month)
        if programme is None:
            raise DomainError(
                "该地区没有此项补贴", code="validation_error", errors={"programme": ["该地区没有此项补贴"]}
            )
        if Enrolment.objects.filter(elder=elder, programme_code=programme.code).exists():
            raise Conflict("该老人已有此项补贴记录", code="duplicate")
        decision = decide(elder=elder, programme=programme, month=month, approved_on=today)
        enrolment = Enrolment.objects.create(
            elder=elder,
            programme=programme,
            programme_code=programme.code,
            region_code=elder.region_id,
            status=EnrolmentStatus.PROPOSED,
            source=EnrolmentSource.APPLICATION,
            from_month=decision.start_month,
            explanation=[*decision.rules, {"rule": "证明材料", "ok": True, "detail": note[:200]}],
        )
        timeline_write(
            timeline=EnrolmentEvent,
            subject=enrolment,
            old="",
            new=EnrolmentStatus.PROPOSED,
            actor=actor,
            reason="申请",
            data={"qualifies": decision.qualifies},
        )
        audit_record(actor=actor, region=elder.region_id, event="benefits.applied", obj=enrolment)
    return enrolment


def on_elder_status(event: ElderStatusChanged) -> dict[str, Any]:
    """Hook inside ``elder_change_status``' gated transaction: death or moving out suspends every
    enrolment from the next month (``to_month`` = the month of the event), drops lines of draft runs
    for later months, and expires the elder's remaining service credit."""
    if not event.ends_service:
        return {}
    when = event.effective_date or timezone.localdate()
    last = month_of(when)
    suspended = 0
    elder_pk = elder_list(user=SYSTEM).filter(public_id=event.elder_id).values_list("pk", flat=True).first()
    if elder_pk is None:
        return {}
    for enrolment in Enrolment.objects.filter(
        elder_id=elder_pk, status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.PROPOSED]
    ):
        transition(
            obj=enrolment,
            to=EnrolmentStatus.SUSPENDED,
            machine=ENROLMENT_MACHINE,
            timeline=EnrolmentEvent,
            actor=event.actor,
            reason="已故" if event.new == "deceased" else "已迁出",
            updates={"to_month": last},
        )
        suspended += 1
    dropped = PaymentLine.objects.filter(elder_id=elder_pk, month__gt=last, run__status=RunStatus.DRAFT)
    runs = set(dropped.values_list("run_id", flat=True))
    dropped_count = dropped.count()
    dropped.delete()
    for run in PaymentRun.objects.filter(pk__in=runs):
        _refresh_total(run)
    expired = 0
    for code in set(ServiceCredit.objects.filter(elder_id=elder_pk).values_list("programme_code", flat=True)):
        balance = ledger_balance(ServiceCredit, _account(event.elder_id, code))
        if balance > 0:
            ledger_post(
                ServiceCredit,
                account=_account(event.elder_id, code),
                amount=-balance,
                kind=CreditKind.EXPIRE,
                memo="已故或迁出，余额清零",
                actor=None,
                elder_id=elder_pk,
                programme_code=code,
                month=last,
                region_code=event.region_code,
            )
            expired += balance
    out = {"benefits_suspended": suspended, "benefit_lines_dropped": dropped_count}
    return {k: v for k, v in out.items() if v}


def on_elder_transfer(elder: Any, old_region: str, new_region: str, actor: Any) -> dict[str, Any]:
    """A transfer moves the anchor of the elder's enrolments; lines keep the region that paid them."""
    moved = Enrolment.objects.filter(elder=elder).update(region_code=new_region)
    return {"benefit_enrolments_moved": moved} if moved else {}


# --- payment runs -------------------------------------------------------------------------------------


def _refresh_total(run: PaymentRun) -> None:
    total = int(run.lines.aggregate(s=Sum("amount_fen"))["s"] or 0)
    PaymentRun.objects.filter(pk=run.pk).update(total_fen=total)
    run.total_fen = total


def payment_run_create(
    *, actor: Any, programme_code: str, region_code: str, month: str
) -> tuple[PaymentRun, bool]:
    """The run of one programme, county and month: regular lines for the month, arrears (补发) for earlier
    months not yet paid, recovery lines (追回) for months paid after a death or move recorded late.
    Asked again it returns the same run (``created`` False)."""
    month = check_month(month)
    county = county_code(region_code)
    if county != region_code:
        raise DomainError(
            "发放名单按县（区）生成", code="validation_error", errors={"region_code": ["请选择县（区）"]}
        )
    require_scope(actor, "benefits.run", county)
    from yiyang.regions.models import Region

    if not Region.objects.filter(code=county, level="county").exists():
        raise OutOfScope("县（区）不存在或不在您的管辖范围内")
    programme = programme_for(programme_code, county, month)
    if programme is None:
        raise OutOfScope("该地区该月没有此项补贴")
    existing = PaymentRun.objects.filter(
        programme_code=programme.code, region_code=county, month=month
    ).first()
    if existing is not None:
        require_scope(actor, "benefits.run", existing.region_code)
        return existing, False
    try:
        with transaction.atomic():
            require_scope(actor, "benefits.run", county)
            run = PaymentRun.objects.create(
                programme=programme,
                programme_code=programme.code,
                region_code=county,
                month=month,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            count = total = 0
            for lines in _build_lines(run, programme):
                _insert_lines(run, lines)
                count += len(lines)
                total += sum(line[3] for line in lines)
            PaymentRun.objects.filter(pk=run.pk).update(total_fen=total)
            run.total_fen = total
            timeline_write(
                timeline=RunEvent, subject=run, old="", new=RunStatus.DRAFT, actor=actor, reason="生成"
            )
            audit_record(
                actor=actor,
                region=county,
                event="benefits.run_created",
                obj=run,
                data={
                    "month": month,
                    "programme": programme.code,
                    "lines": count,
                    "total_fen": run.total_fen,
                },
            )
    except IntegrityError:
        return PaymentRun.objects.get(programme_code=programme.code, region_code=county, month=month), False
    return run, True


LINE_CHUNK = 5000  # enrolments per read of paid history, lines per insert batch

# (elder pk, month, kind, amount_fen, band label, region code, reason): one line as the builder computes it.
LineRow = tuple[int, str, str, int, str, str, str]
LINE_COPY_COLUMNS = (
    "public_id",
    "run_id",
    "elder_id",
    "programme_code",
    "month",
    "kind",
    "amount_fen",
    "band",
    "status",
    "reason",
    "region_code",
)


def _build_lines(run: PaymentRun, programme: Programme) -> Iterator[list[LineRow]]:
    """The run's lines in chunks, with set-based reads and no per-elder query: enrolments are read as
    plain tuples in elder order, LINE_CHUNK at a time, with the paid history of that chunk's elder range
    in one query; the band of a (birth date, month) is computed once; month windows are shared between
    elders with the same start. Rules as decision 0012: regular for the month, arrears for unpaid
    earlier months since the enrolment (and the platform's first month), recovery for months paid after
    ``to_month`` in a run that left draft."""
    from yiyang.benefits.rules import band_for, month_last
    from yiyang.core.identifiers import age_on

    month = run.month
    bands = list(programme.bands.all())
    rows = (
        Enrolment.objects.filter(
            programme_code=programme.code,
            region_code__startswith=scope_prefix(run.region_code),
            status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED],
            approved_at__isnull=False,
            from_month__lte=month,
        )
        .order_by("elder_id")
        .values_list("elder_id", "from_month", "to_month", "elder__birth_date", "elder__region_id")
    )
    windows: dict[tuple[str, str], tuple[str, ...]] = {}
    band_of: dict[tuple[date, str], tuple[int, str] | None] = {}

    def band_at(birth: date, m: str) -> tuple[int, str] | None:
        key = (birth, m)
        if key not in band_of:
            end = month_last(m)
            band = band_for(bands, age_on(birth, end)) if birth <= end else None
            band_of[key] = None if band is None else (band.monthly_fen, band.label)
        return band_of[key]

    def chunk_lines(chunk: list[tuple[Any, ...]]) -> list[LineRow]:
        paid: dict[int, dict[str, tuple[int, str, str]]] = defaultdict(dict)
        recovered: dict[int, set[str]] = defaultdict(set)
        history = PaymentLine.objects.filter(
            programme_code=programme.code, elder_id__gte=chunk[0][0], elder_id__lte=chunk[-1][0]
        ).values_list("elder_id", "month", "kind", "status", "amount_fen", "band", "run__status")
        for elder_id, m, kind, status, amount, band_label, run_status in history:
            if kind == LineKind.RECOVERY:
                recovered[elder_id].add(m)
            elif status != LineStatus.RETURNED:
                paid[elder_id][m] = (amount, band_label, run_status)
        out: list[LineRow] = []
        append = out.append
        for elder_id, from_month, to_month, birth, region in chunk:
            last = min(month, to_month) if to_month else month
            first = max(from_month, programme.first_month)
            window = windows.get((first, last))
            if window is None:
                window = windows.setdefault((first, last), tuple(months_between(first, last)))
            done = paid.get(elder_id, {})
            for m in window:
                if m in done:
                    continue
                band = band_at(birth, m)
                if band is None:
                    continue
                if m == month:
                    append((elder_id, m, LineKind.REGULAR, band[0], band[1], region, ""))
                else:
                    append((elder_id, m, LineKind.ARREARS, band[0], band[1], region, f"补发 {m}"))
            if to_month and done:
                gone = recovered.get(elder_id, set())
                for m, (amount, band_label, run_status) in sorted(done.items()):
                    if m > to_month and m not in gone and run_status != RunStatus.DRAFT:
                        reason = f"{to_month} 已停发，追回 {m} 已发金额"
                        append((elder_id, m, LineKind.RECOVERY, -amount, band_label, region, reason))
        return out

    chunk: list[tuple[Any, ...]] = []
    for row in rows.iterator(chunk_size=LINE_CHUNK):
        chunk.append(row)
        if len(chunk) >= LINE_CHUNK:
            yield chunk_lines(chunk)
            chunk = []
    if chunk:
        yield chunk_lines(chunk)


def _insert_lines(run: PaymentRun, rows: list[LineRow]) -> None:
    """PostgreSQL: ``COPY … FROM STDIN`` (the database constraints still hold: never paid twice);
    other databases: ``bulk_create``."""
    from django.db import connection

    code = run.programme_code
    if connection.vendor == "postgresql":
        sql = f"COPY {PaymentLine._meta.db_table} ({', '.join(LINE_COPY_COLUMNS)}) FROM STDIN"
        pending = str(LineStatus.PENDING)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for elder_id, m, kind, amount, band, region, reason in rows:
                write(
                    (
                        uuid.uuid4(),
                        run.pk,
                        elder_id,
                        code,
                        m,
                        str(kind),
                        amount,
                        band,
                        pending,
                        reason,
                        region,
                    )
                )
        return
    PaymentLine.objects.bulk_create(
        [
            PaymentLine(
                run=run,
                elder_id=elder_id,
                programme_code=code,
                month=m,
                kind=kind,
                amount_fen=amount,
                band=band,
                region_code=region,
                reason=reason,
            )
            for elder_id, m, kind, amount, band, region, reason in rows
        ],
        batch_size=LINE_CHUNK,
    )


def payment_run_approve(*, actor: Any, run: PaymentRun) -> PaymentRun:
    """Maker–checker: a second county user approves; the maker may not. A service-credit run grants
    each elder's monthly credit on approval (expiring last month's remainder unless carried over)."""
    with transaction.atomic():
        require_scope(actor, "benefits.approve", run.region_code)
        if run.created_by_id is not None and run.created_by_id == getattr(actor, "pk", None):
            raise Forbidden("发放名单须由另一名工作人员复核", code="maker_checker")
        transition(
            obj=run,
            to=RunStatus.APPROVED,
            machine=RUN_MACHINE,
            timeline=RunEvent,
            actor=actor,
            reason="复核通过",
            updates={"approved_by": actor if getattr(actor, "is_authenticated", False) else None},
        )
        granted = 0
        if run.programme.payment_mode == PaymentMode.CREDIT:
            granted = _grant_credit(run, actor)
        audit_record(
            actor=actor,
            region=run.region_code,
            event="benefits.run_approved",
            obj=run,
            data={"total_fen": run.total_fen, "credit_granted_fen": granted},
        )
    return run


def _account(elder_public_id: Any, programme_code: str) -> str:
    return f"credit:{elder_public_id}:{programme_code}"


def _grant_credit(run: PaymentRun, actor: Any) -> int:
    total = 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    for line in run.lines.select_related("elder").filter(kind=LineKind.REGULAR):
        account = _account(line.elder.public_id, run.programme_code)
        balance = ledger_balance(ServiceCredit, account)
        common = {"elder": line.elder, "programme_code": run.programme_code, "region_code": line.region_code}
        if balance > 0 and not run.programme.carry_over:
            ledger_post(
                ServiceCredit,
                account=account,
                amount=-balance,
                kind=CreditKind.EXPIRE,
                memo=f"{month_add(run.month, -1)} 未用完额度清零",
                actor=user,
                month=month_add(run.month, -1),
                **common,
            )
        ledger_post(
            ServiceCredit,
            account=account,
            amount=line.amount_fen,
            kind=CreditKind.GRANT,
            memo=f"{run.month} 养老服务补贴额度",
            actor=user,
            month=run.month,
            **common,
        )
        total += line.amount_fen
    return total


def on_service_charged(event: ServiceCharged) -> dict[str, Any]:
    """Hook inside settlement_generate's gated transaction: the order's government share is taken from
    the elder's service credit, as far as the balance goes."""
    spent = 0
    public_id = elder_list(user=SYSTEM).filter(pk=event.elder_pk).values_list("public_id", flat=True).first()
    if public_id is None:
        return {}
    codes = sorted(
        set(ServiceCredit.objects.filter(elder_id=event.elder_pk).values_list("programme_code", flat=True))
    )
    remaining = event.government_fen
    for code in codes:
        if remaining <= 0:
            break
        account = _account(public_id, code)
        take = min(remaining, ledger_balance(ServiceCredit, account))
        if take <= 0:
            continue
        ledger_post(
            ServiceCredit,
            account=account,
            amount=-take,
            kind=CreditKind.SPEND,
            memo="居家上门服务政府承担部分",
            actor=event.actor if getattr(event.actor, "is_authenticated", False) else None,
            elder_id=event.elder_pk,
            programme_code=code,
            month=event.month,
            region_code=event.region_code,
            order_ref=event.order_public_id,
        )
        spent += take
        remaining -= take
    return {"credit_spent_fen": spent} if spent else {}


def on_service_charge_reversed(event: ServiceChargeReversed) -> dict[str, Any]:
    """Hook inside ``settlement_reverse``' transaction (冲正 by hand or an upheld complaint): each credit
    spend for the order is reversed on the ledger (once only: ``ledger_reverse``), so the credit comes
    back to the elder's balance; if that month has closed it expires with the next month end unless the
    programme carries credit over."""
    from yiyang.core.ledger import ledger_reverse

    returned = 0
    spends = ServiceCredit.objects.filter(
        order_ref=event.order_public_id, kind=CreditKind.SPEND, reversed_by__isnull=True
    )
    for spend in spends:
        ledger_reverse(
            spend,
            memo=f"冲正退回服务额度：{event.reason}"[:300],
            actor=event.actor if getattr(event.actor, "is_authenticated", False) else None,
        )
        returned += -spend.amount
    return {"credit_returned_fen": returned} if returned else {}


def payment_run_mark_paid(*, actor: Any, run: PaymentRun) -> PaymentRun:
    """The bank paid the run: every pending line is paid (returned lines keep their mark)."""
    with transaction.atomic():
        require_scope(actor, "benefits.approve", run.region_code)
        transition(
            obj=run,
            to=RunStatus.PAID,
            machine=RUN_MACHINE,
            timeline=RunEvent,
            actor=actor,
            reason="银行已发放",
        )
        n = run.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.PAID)
        audit_record(
            actor=actor, region=run.region_code, event="benefits.run_paid", obj=run, data={"lines": n}
        )
    return run


def payment_line_return(*, actor: Any, line: PaymentLine, reason: str) -> PaymentLine:
    """The bank returned a line (closed account, name mismatch…): it no longer counts as paid, so the
    month can be paid again as arrears in a later run."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写退回原因", code="validation_error", errors={"reason": ["请填写退回原因"]})
    with transaction.atomic():
        require_scope(actor, "benefits.approve", line.run.region_code)
        if (
            line.kind == LineKind.RECOVERY
            or line.run.status == RunStatus.DRAFT
            or line.status == LineStatus.RETURNED
        ):
            raise Conflict(
                "该明细不能标记为退回", code="illegal_transition", extra={"current_status": line.status}
            )
        moved = PaymentLine.objects.filter(pk=line.pk, status=line.status).update(
            status=LineStatus.RETURNED, reason=f"银行退回：{reason}"[:200]
        )
        if not moved:
            raise Conflict("该明细已被他人处理，请刷新", code="concurrent_update")
        line.status = LineStatus.RETURNED
        line.reason = f"银行退回：{reason}"[:200]
        audit_record(
            actor=actor,
            region=line.run.region_code,
            event="benefits.line_returned",
            obj=line.run,
            data={"line": str(line.public_id), "reason": reason},
        )
    return line


BANK_HEADER = ["序号", "姓名", "身份证号", "金额（元）", "月份", "类型", "备注"]


def _bank_rows(run: PaymentRun) -> list[list[Any]]:
    labels = dict(LineKind.choices)
    rows = []
    for i, line in enumerate(
        run.lines.exclude(status=LineStatus.RETURNED).select_related("elder").order_by("pk"), start=1
    ):
        rows.append(
            [
                i,
                line.elder.name,
                decrypt(line.elder.id_number_enc),
                line.amount_fen,
                line.month,
                labels.get(line.kind, ""),
                line.reason,
            ]
        )
    return rows


def payment_run_bank_file(*, actor: Any, run: PaymentRun, fmt: str) -> bytes:
    """The bank's batch file (.xlsx or .csv) with the full ID numbers: only for an approved run, and
    every export is an audit event naming how many ID numbers left the platform."""
    if fmt not in {"xlsx", "csv"}:
        raise DomainError(
            "格式只能是 xlsx 或 csv", code="validation_error", errors={"format": ["xlsx 或 csv"]}
        )
    with transaction.atomic():
        require_scope(actor, "benefits.bank_file", run.region_code)
        if run.status == RunStatus.DRAFT:
            raise Conflict(
                "发放名单复核后才能导出银行文件",
                code="illegal_transition",
                extra={"current_status": run.status},
            )
        rows = _bank_rows(run)
        total = sum(r[3] for r in rows)
        audit_record(
            actor=actor,
            region=run.region_code,
            event="benefits.bank_file",
            obj=run,
            data={"format": fmt, "lines": len(rows), "total_fen": total},
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(BANK_HEADER)
        for r in rows:
            writer.writerow(safe_row([*r[:3], f"{r[3] / 100:.2f}", *r[4:]]))
        writer.writerow(safe_row(["合计", "", "", f"{total / 100:.2f}", "", "", f"{len(rows)} 笔"]))
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "代发明细"
    xlsx_append(ws, BANK_HEADER)
    for r in rows:
        xlsx_append(ws, r, money=[3])
    xlsx_append(ws, ["合计", "", "", total, "", "", f"{len(rows)} 笔"], money=[3])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- death lists ----------------------------------------------------------------------------------------


def death_import_read(*, actor: Any, region_code: str, source: str, upload: Any) -> DeathImport:
    """Read a death list (.xlsx: 姓名, 身份证号, 死亡日期) into a batch for the county to confirm; each row
    is matched to an elder of the county by ID number or explained."""
    from yiyang.elders.selectors import elder_find_by_id_number

    if source not in DeathSource.values:
        raise DomainError("来源无效", code="validation_error", errors={"source": ["来源无效"]})
    county = county_code(region_code)
    rows = _read_death_rows(upload)
    with transaction.atomic():
        require_scope(actor, "benefits.death_import", county)
        out: list[dict[str, Any]] = []
        for number, name, day, error in rows:
            row: dict[str, Any] = {"name": name[:50], "date": day.isoformat() if day else "", "error": error}
            if not error:
                elder = elder_find_by_id_number(user=actor, id_number=number, perm="benefits.death_import")
                if elder is None or not elder.region_id.startswith(scope_prefix(county)):
                    row["error"] = "本县（区）未登记此身份证号"
                elif elder.status != "active":
                    row["error"] = "该老人已不在册"
                else:
                    row.update({"elder": str(elder.public_id), "masked": elder.id_number_masked})
            out.append(row)
        batch = DeathImport.objects.create(
            region_code=county,
            source=source,
            filename=str(getattr(upload, "name", ""))[:200],
            rows=out,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        timeline_write(
            timeline=DeathImportEvent, subject=batch, old="", new=DeathImportStatus.PENDING, actor=actor
        )
        audit_record(
            actor=actor,
            region=county,
            event="benefits.death_import",
            obj=batch,
            data={"rows": len(out), "matched": len(batch.matched())},
        )
    return batch


def _read_death_rows(upload: Any) -> list[tuple[str, str, date | None, str]]:
    from datetime import datetime

    from openpyxl import load_workbook

    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:
        raise DomainError(
            "无法读取文件，请上传 .xlsx", code="validation_error", errors={"file": ["无法读取文件"]}
        ) from exc
    ws = wb.worksheets[0]
    out: list[tuple[str, str, date | None, str]] = []
    for i, values in enumerate(ws.iter_rows(values_only=True)):
        if i == 0 or not values or all(v in (None, "") for v in values):
            continue
        if len(out) >= 5000:
            raise DomainError("一次最多导入 5000 行", code="validation_error", errors={"file": ["行数过多"]})
        name = str(values[0] or "").strip() if len(values) > 0 else ""
        number = str(values[1] or "").strip() if len(values) > 1 else ""
        raw = values[2] if len(values) > 2 else None
        day: date | None = None
        if isinstance(raw, datetime):
            day = raw.date()
        elif isinstance(raw, date):
            day = raw
        else:
            try:
                day = date.fromisoformat(str(raw or "").strip())
            except ValueError:
                day = None
        error = "" if day and number else "身份证号或死亡日期缺失/格式有误"
        if day and day > timezone.localdate():
            error = "死亡日期晚于今天"
        out.append((number, name, day, error))
    return out


def death_import_confirm(*, actor: Any, batch: DeathImport) -> DeathImport:
    """The county confirms the batch: each matched elder still in the register is marked deceased through
    the register's service (its hook stops benefits, orders and bookings)."""
    from yiyang.elders.selectors import elder_get
    from yiyang.elders.services import elder_change_status

    with transaction.atomic():
        require_scope(actor, "benefits.death_import", batch.region_code)
        label = dict(DeathSource.choices).get(batch.source, "")
        done = 0
        for row in batch.matched():
            elder = elder_get(user=actor, public_id=row["elder"], perm="elders.status")
            if elder is None or elder.status != "active":
                continue
            elder_change_status(
                actor=actor,
                elder=elder,
                status="deceased",
                effective_date=date.fromisoformat(row["date"]),
                reason=f"死亡名单导入（{label}，{batch.filename}）",
            )
            done += 1
        transition(
            obj=batch,
            to=DeathImportStatus.CONFIRMED,
            machine=DEATH_IMPORT_MACHINE,
            timeline=DeathImportEvent,
            actor=actor,
            reason="县（区）确认",
            data={"marked": done},
        )
        audit_record(
            actor=actor,
            region=batch.region_code,
            event="benefits.death_confirmed",
            obj=batch,
            data={"marked": done},
        )
    return batch


# --- programmes -----------------------------------------------------------------------------------------

# The demo city's defaults (issue 16; 湖州 §三2(1)): 高龄津贴/长寿保健金 by age band, 养老服务补贴 as a
# monthly service credit for 特困 and 低保 elders aged 60+.
DEFAULT_PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": "age_allowance",
        "name": "高龄津贴",
        "kind": "age_allowance",
        "payment_mode": PaymentMode.CASH,
        "automatic": True,
        "requires_confirmation": False,
        "min_age": 80,
        "bands": [(80, 89, 10000), (90, 99, 20000), (100, None, 50000)],
    },
    {
        "code": "service_subsidy",
        "name": "养老服务补贴",
        "kind": "service_subsidy",
        "payment_mode": PaymentMode.CREDIT,
        "automatic": True,
        "requires_confirmation": True,
        "min_age": 60,
        "categories": ["tekun_dispersed", "tekun_centralised", "dibao"],
        "bands": [(60, None, 30000)],
    },
]


def programme_publish(
    *,
    actor: Any,
    region_code: str,
    code: str,
    name: str,
    kind: str,
    payment_mode: str,
    bands: list[tuple[int, int | None, int]],
    valid_from: str,
    first_month: str = "",
    min_age: int = 60,
    categories: list[str] | None = None,
    min_capability_level: int | None = None,
    automatic: bool = True,
    requires_confirmation: bool = False,
    carry_over: bool = False,
) -> Programme:
    """Publish a programme version in a region (the city): a new version of an existing code ends the
    previous one the month before ``valid_from``; runs keep the version they were made with."""
    valid_from = check_month(valid_from, "valid_from")
    first_month = check_month(first_month or valid_from, "first_month")
    if not bands or any(amount <= 0 or (hi is not None and hi < lo) for lo, hi, amount in bands):
        raise DomainError("档次有误", code="validation_error", errors={"bands": ["档次年龄或金额有误"]})
    with transaction.atomic():
        require_scope(actor, "benefits.programmes", region_code)
        previous = Programme.objects.filter(code=code, region_id=region_code).order_by("-version").first()
        if previous is not None:
            if previous.valid_from >= valid_from:
                raise Conflict("新版本的起始月份须晚于现行版本", code="duplicate")
            Programme.objects.filter(pk=previous.pk).update(valid_to=month_add(valid_from, -1))
        programme = Programme.objects.create(
            code=code,
            name=name,
            kind=kind,
            region_id=region_code,
            version=(previous.version + 1) if previous else 1,
            valid_from=valid_from,
            first_month=first_month,
            payment_mode=payment_mode,
            automatic=automatic,
            requires_confirmation=requires_confirmation,
            min_age=min_age,
            categories=list(categories or []),
            min_capability_level=min_capability_level,
            carry_over=carry_over,
        )
        for lo, hi, amount in bands:
            programme.bands.create(age_min=lo, age_max=hi, monthly_fen=amount)
        audit_record(
            actor=actor,
            region=region_code,
            event="benefits.programme_published",
            obj=programme,
            data={"code": code, "version": programme.version, "bands": [list(b) for b in bands]},
        )
    return programme


def programme_seed_defaults(*, actor: Any, region_code: str, valid_from: str, first_month: str) -> int:
    """Publish ``DEFAULT_PROGRAMMES`` in a region where they are missing (demo seeding, new cities)."""
    made = 0
    for spec in DEFAULT_PROGRAMMES:
        if Programme.objects.filter(code=spec["code"], region_id=region_code).exists():
            continue
        programme_publish(
            actor=actor, region_code=region_code, valid_from=valid_from, first_month=first_month, **spec
        )
        made += 1
    return made
